using System.Reflection;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace SparseDsl.Benchmarks.Generator.Benchmarks;

/// <summary>Runs <see cref="GeneratorBenchmarks"/> with a short in-process job and artifacts in the project folder.</summary>
internal static class GeneratorBenchmarkRunner
{
    /// <summary>Runs the benchmarks; <paramref name="args"/> go to BenchmarkDotNet (e.g. <c>--filter</c>).</summary>
    public static void Run(string[] args) => BenchmarkRunner.Run<GeneratorBenchmarks>(Config(), args);

    private static IConfig Config()
    {
        // In-process: no second build of this project for each benchmark, and the whole run stays within ~2 minutes.
        // 3 warm-ups and 12 measured iterations are enough for operations of milliseconds to a few hundred.
        var job = Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithWarmupCount(3)
            .WithIterationCount(12)
            .WithId("InProcess");
        return ManualConfig.Create(DefaultConfig.Instance)
            .AddJob(job)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .WithArtifactsPath(Path.Combine(ProjectDirectory(), "BenchmarkDotNet.Artifacts"));
    }

    // `dotnet run --project` keeps the caller's working directory; the build stamps the project folder into the
    // assembly so the artifacts land next to the project (and its .gitignore) wherever the command is run from.
    private static string ProjectDirectory() =>
        typeof(GeneratorBenchmarkRunner).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "ProjectDirectory")?.Value
        ?? Directory.GetCurrentDirectory();
}
