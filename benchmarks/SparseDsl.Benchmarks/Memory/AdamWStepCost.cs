using SparseDsl.Benchmarks.Paired;
using SparseDsl.Experiments.Gpt;
using static TorchSharp.torch;

namespace SparseDsl.Benchmarks.Memory;

/// <summary>
/// What the trainer's scalar-free AdamW step (<see cref="AdamWArithmetic"/>) costs against TorchSharp's own
/// <c>AdamW.step()</c>, paired round by round on two copies of the default model with the same gradients, and what
/// the one timed generation-0 collection per second costs, from the GC's own pause count.
/// </summary>
public static class AdamWStepCost
{
    /// <summary>The paired step timing, and a full training step's median milliseconds for scale.</summary>
    public static (PairedResult Step, double TrainStepMs) Measure(int rounds)
    {
        var options = new ModelOptions { Depth = 2 };
        using var a = new GptLm(128, seed: 1, options: options);
        using var b = new GptLm(128, seed: 1, options: options);
        var settings = new AdamWSettings();
        using var theirs = ScaledOptimizers.AdamW(a, settings);
        using var ours = ScaledOptimizers.AdamW(b, settings);
        var generator = new Generator(7, CPU);
        foreach (var (p, q) in a.parameters().Zip(b.parameters()))
        {
            using var g = randn(p.shape, generator: generator).mul_(1e-3);
            p.grad = g.clone();
            q.grad = g.clone();
        }
        var step = PairedTiming.Compare("AdamW step: SparseDsl's scalar-free / TorchSharp's", () => theirs.step(), () => AdamWArithmetic.Step(ours), rounds);

        // A training step of the same model, for scale (16 x 64 tokens, SAT off, as the allocator runs train).
        var corpus = SparseDsl.Experiments.BundledCorpus.Open();
        using var trainer = new GptLm.Trainer(a, new TrainerSettings { Steps = 40, Acceleration = SparsityAcceleration.Off },
            new SparseDsl.Data.NextTokenBatches(corpus, 16, 64, seed: 1));
        var times = new List<double>();
        for (int i = 0; i < 40; i++)
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            trainer.TrainStep();
            if (i >= 10) times.Add(watch.Elapsed.TotalMilliseconds);
        }
        return (step, PairedTiming.Percentile(times, 0.5));
    }
}
