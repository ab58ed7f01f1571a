using SparseDsl.Experiments.Gpt;
using static TorchSharp.torch;

namespace SparseDsl.Benchmarks.Paired;

/// <summary>
/// Whether a narrower mask pays: the mask products of a step (forward <c>W ⊙ M</c>, backward <c>G ⊙ M</c>) with the
/// float32 masks the layers keep, against the same products with <c>bool</c> and <c>uint8</c> copies of them (the
/// product then converts the mask to float32 on the fly), paired round by round; and the bytes each form takes.
/// </summary>
public static class MaskDtypeCost
{
    /// <summary>One comparison: the paired times, the extra milliseconds as a share of a dense step, and the mask bytes saved.</summary>
    public sealed record Result(int Width, string Dtype, PairedResult Paired, double ShareOfDenseStep, long Float32Bytes, long NarrowBytes);

    /// <summary>Measures both narrow forms at one width; <paramref name="denseStepMs"/> gives the share.</summary>
    public static IReadOnlyList<Result> Measure(int width, double denseStepMs, int rounds)
    {
        using var model = new GptLm(width, seed: 1, options: new ModelOptions { Depth = 2 });
        var layers = model.modules().OfType<ScaledLinear>().Where(l => l.Mask is not null).ToArray();
        using var _ = no_grad();
        var gradients = layers.Select(l => randn_like(l.Weight)).ToArray();
        long elements = layers.Sum(l => l.Mask!.numel());
        var results = new List<Result>();
        foreach (var dtype in new[] { ScalarType.Bool, ScalarType.Byte })
        {
            var narrow = layers.Select(l => l.Mask!.to(dtype)).ToArray();
            void Products(Tensor[] masks)
            {
                for (int i = 0; i < layers.Length; i++)
                {
                    using var forward = layers[i].Weight.mul(masks[i]);
                    using var backward = gradients[i].mul(masks[i]);
                }
            }
            var floats = layers.Select(l => l.Mask!).ToArray();
            var paired = PairedTiming.Compare($"mask products, d_model {width}: {dtype} / float32", () => Products(floats), () => Products(narrow), rounds);
            results.Add(new Result(width, dtype.ToString(), paired, (paired.CandidateMs - paired.BaselineMs) / denseStepMs, 4 * elements, elements));
            foreach (var m in narrow) m.Dispose();
        }
        foreach (var g in gradients) g.Dispose();
        return results;
    }
}
