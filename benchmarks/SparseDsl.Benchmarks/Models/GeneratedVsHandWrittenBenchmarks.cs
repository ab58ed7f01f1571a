using BenchmarkDotNet.Attributes;
using static TorchSharp.torch;

namespace SparseDsl.Benchmarks.Models;

/// <summary>
/// Issue target 1: the generated model and trainer against a hand-written TorchSharp twin (same weights, masks,
/// multipliers, same loop work). The Ratio column is generated / hand-written; the target is ≤ 1.02.
/// </summary>
[Config(typeof(TorchJobConfig))]
public class GeneratedVsHandWrittenBenchmarks
{
    private ModelPair _pair = null!;

    /// <summary>Model width (d_model).</summary>
    [Params(256, 512)]
    public int Width { get; set; }

    /// <summary>Builds both models and checks they compute the same logits.</summary>
    [GlobalSetup]
    public void Setup() => _pair = new ModelPair(Width);

    /// <summary>Frees both.</summary>
    [GlobalCleanup]
    public void Cleanup() => _pair.Dispose();

    /// <summary>Hand-written training step.</summary>
    [BenchmarkCategory("train step"), Benchmark(Baseline = true)]
    public float HandWrittenTrainStep() => _pair.HandWrittenStep();

    /// <summary>Generated trainer's step.</summary>
    [BenchmarkCategory("train step"), Benchmark]
    public double GeneratedTrainStep() => _pair.Trainer.TrainStep().Loss;

    /// <summary>Hand-written forward, inference mode.</summary>
    [BenchmarkCategory("forward"), Benchmark(Baseline = true)]
    public float HandWrittenForward() => ModelPair.Forward(_pair.HandWritten!, _pair.Inputs);

    /// <summary>Generated forward, inference mode.</summary>
    [BenchmarkCategory("forward"), Benchmark]
    public float GeneratedForward() => ModelPair.Forward(_pair.Generated, _pair.Inputs);
}
