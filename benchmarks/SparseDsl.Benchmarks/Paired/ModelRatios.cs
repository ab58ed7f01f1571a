using SparseDsl.Benchmarks.Models;
using static TorchSharp.torch;

namespace SparseDsl.Benchmarks.Paired;

/// <summary>The mask products' time per step at one width, against the dense step's median time.</summary>
/// <param name="Width">d_model.</param>
/// <param name="Milliseconds">Median time of every masked projection's forward and backward mask product.</param>
/// <param name="DenseStepMilliseconds">Median time of the dense model's whole step.</param>
public sealed record MaskProducts(int Width, double Milliseconds, double DenseStepMilliseconds);

/// <summary>
/// Issue targets 1 and 2 as paired timings: generated vs hand-written (train step and forward; target ≤ 1.02) and
/// masked vs dense (train step; target ≤ 1.05), at d_model 256 and 512.
/// </summary>
public static class ModelRatios
{
    /// <summary>Every comparison, logged as it finishes.</summary>
    public static (IReadOnlyList<PairedResult> Paired, IReadOnlyList<MaskProducts> MaskProducts) Measure(TextWriter log)
    {
        var results = new List<PairedResult>();
        var maskProducts = new List<MaskProducts>();
        foreach (int width in new[] { 256, 512 })
        {
            // Rounds for about a minute per comparison: the median ratio then moves by ~1–2% between runs on this noisy machine.
            int rounds = width == 256 ? 60 : 40;
            using (var pair = new ModelPair(width))
            {
                results.Add(Log(log, PairedTiming.Compare($"d_model {width}: train step, generated / hand-written",
                    () => pair.HandWrittenStep(), () => pair.Trainer.TrainStep(), rounds)));
                results.Add(Log(log, PairedTiming.Compare($"d_model {width}: forward, generated / hand-written",
                    () => ModelPair.Forward(pair.HandWritten!, pair.Inputs), () => ModelPair.Forward(pair.Generated, pair.Inputs), rounds * 2)));
            }
            using var dense = new ModelPair(width, sparsity: 0);
            using var masked = new ModelPair(width);
            var overhead = Log(log, PairedTiming.Compare($"d_model {width}: train step, masked (87.5%) / dense",
                () => dense.Trainer.TrainStep(), () => masked.Trainer.TrainStep(), rounds));
            results.Add(overhead);
            double products = MaskProductCost.MillisecondsPerStep(masked.Generated);
            maskProducts.Add(new MaskProducts(width, products, overhead.BaselineMs));
            log.WriteLine($"  d_model {width}: mask products alone {products:0.0} ms per step, {products / overhead.BaselineMs:P1} of the dense step");
        }
        return (results, maskProducts);
    }

    private static PairedResult Log(TextWriter log, PairedResult r)
    {
        log.WriteLine($"  {r.Name}: {r.Ratio:0.000} (10–90%: {r.Low:0.000}–{r.High:0.000}; {r.BaselineMs:0.0} vs {r.CandidateMs:0.0} ms)");
        return r;
    }
}
