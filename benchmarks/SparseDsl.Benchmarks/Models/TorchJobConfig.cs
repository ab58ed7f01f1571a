using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace SparseDsl.Benchmarks.Models;

/// <summary>
/// In-process runs (TorchSharp's native libraries are already loaded and the GLIBCXX fix applies), one training step
/// per invocation (a step is 50–500 ms, far above timer resolution), a few warm-up steps for allocator caches.
/// </summary>
public sealed class TorchJobConfig : ManualConfig
{
    /// <summary>The job every model benchmark uses.</summary>
    public TorchJobConfig()
    {
        Add(DefaultConfig.Instance); // loggers, exporters (Markdown, CSV, HTML) and the default columns
        ArtifactsPath = ResultsFolder.BenchmarkDotNet;
        AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithInvocationCount(1).WithUnrollFactor(1)
            .WithWarmupCount(3).WithIterationCount(15)
            .WithId("torch-cpu"));
        WithOptions(ConfigOptions.DisableOptimizationsValidator);
        AddLogicalGroupRules(BenchmarkLogicalGroupRule.ByCategory, BenchmarkLogicalGroupRule.ByParams);
    }
}
