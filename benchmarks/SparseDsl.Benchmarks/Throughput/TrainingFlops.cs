using System.Diagnostics;
using SparseDsl.Benchmarks.Models;

namespace SparseDsl.Benchmarks.Throughput;

/// <summary>
/// Achieved training FLOP/s of the LM example: matmul FLOPs per step (<see cref="ModelCost.TrainingFlopsPerToken"/>:
/// forward 2·MACs, backward 4·MACs, every masked projection counted dense because it is computed dense) over the
/// measured step time.
/// </summary>
public static class TrainingFlops
{
    /// <summary>Trains <paramref name="steps"/> timed steps (after 3 untimed) at <paramref name="width"/>; returns GFLOP/s and ms/step.</summary>
    public static (double GigaFlops, double MillisecondsPerStep) Measure(int width, int steps)
    {
        using var pair = new ModelPair(width);
        for (int i = 0; i < 3; i++) pair.Trainer.TrainStep();
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++) pair.Trainer.TrainStep();
        double seconds = watch.Elapsed.TotalSeconds / steps;
        double flops = ModelCost.TrainingFlopsPerToken(pair.Generated.Plan, ModelPair.Context) * ModelPair.Batch * ModelPair.Context;
        return (flops / seconds / 1e9, seconds * 1000);
    }
}
