using System.Diagnostics;
using SparseDsl.Experiments.Gpt;
using static TorchSharp.torch;

namespace SparseDsl.Benchmarks.Paired;

/// <summary>
/// The whole extra work of a masked step, timed alone: every masked projection's forward product <c>W ⊙ M</c> and
/// its backward product <c>G ⊙ M</c> (autograd's gradient through the mask). A dense step does neither, so this is the
/// mask overhead without the step-to-step noise that a whole-step comparison carries.
/// </summary>
public static class MaskProductCost
{
    /// <summary>Median milliseconds per training step spent in mask products (one forward and one backward product per masked projection).</summary>
    public static double MillisecondsPerStep(GptLm model, int repeats = 30)
    {
        var masked = model.modules().OfType<ScaledLinear>().Where(l => l.Mask is not null).ToArray();
        if (masked.Length == 0) throw new ArgumentException("The model has no masked projection.", nameof(model));
        using var _ = no_grad();
        var gradients = masked.Select(l => randn_like(l.Weight)).ToArray(); // stand-ins for the gradients of W ⊙ M
        try
        {
            var times = new double[repeats];
            for (int r = -3; r < repeats; r++) // three untimed warm-ups
            {
                var watch = Stopwatch.StartNew();
                for (int i = 0; i < masked.Length; i++)
                {
                    using var forward = masked[i].Weight.mul(masked[i].Mask!);
                    using var backward = gradients[i].mul(masked[i].Mask!);
                }
                if (r >= 0) times[r] = watch.Elapsed.TotalMilliseconds;
            }
            return PairedTiming.Percentile(times, 0.5);
        }
        finally
        {
            foreach (var g in gradients) g.Dispose();
        }
    }
}
