using System.Diagnostics;
using SparseDsl.Benchmarks.Models;
using SparseDsl.Examples.Gpt;

namespace SparseDsl.Benchmarks.Throughput;

/// <summary>
/// Achieved training FLOP/s of the LM example: matmul FLOPs per step (forward 2·MACs, backward 4·MACs, every masked
/// projection counted dense because it is computed dense) over the measured step time.
/// </summary>
public static class TrainingFlops
{
    /// <summary>Multiply–accumulates per token of one forward pass: every projection, the tied readout, and attention's QKᵀ and AV.</summary>
    public static double MacsPerToken(GptLm model, int context)
    {
        double macs = model.modules().OfType<ScaledLinear>().Sum(l => l.Plan.InFeatures * (double)l.Plan.OutFeatures);
        return macs + 2.0 * context * model.Plan.Width * model.Blocks.Count;
    }

    /// <summary>Trains <paramref name="steps"/> timed steps (after 3 untimed) at <paramref name="width"/>; returns GFLOP/s and ms/step.</summary>
    public static (double GigaFlops, double MillisecondsPerStep) Measure(int width, int steps)
    {
        using var pair = new ModelPair(width);
        for (int i = 0; i < 3; i++) pair.Trainer.TrainStep();
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++) pair.Trainer.TrainStep();
        double seconds = watch.Elapsed.TotalSeconds / steps;
        double flops = 6.0 * MacsPerToken(pair.Generated, ModelPair.Context) * ModelPair.Batch * ModelPair.Context;
        return (flops / seconds / 1e9, seconds * 1000);
    }
}
