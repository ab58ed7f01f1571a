using BenchmarkDotNet.Attributes;

namespace SparseDsl.Benchmarks.Models;

/// <summary>
/// Issue target 2: one training step of the generated LM with every projection masked (87.5% sparse) against the
/// same model dense (no masks). The Ratio column is masked / dense; the target is ≤ 1.05.
/// </summary>
[Config(typeof(TorchJobConfig))]
public class MaskOverheadBenchmarks
{
    private ModelPair _dense = null!, _masked = null!;

    /// <summary>Model width (d_model).</summary>
    [Params(256, 512)]
    public int Width { get; set; }

    /// <summary>Builds both.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _dense = new ModelPair(Width, sparsity: 0);
        _masked = new ModelPair(Width);
    }

    /// <summary>Frees both.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _dense.Dispose();
        _masked.Dispose();
    }

    /// <summary>Dense step.</summary>
    [Benchmark(Baseline = true)]
    public double DenseTrainStep() => _dense.Trainer.TrainStep().Loss;

    /// <summary>Masked step.</summary>
    [Benchmark]
    public double MaskedTrainStep() => _masked.Trainer.TrainStep().Loss;
}
