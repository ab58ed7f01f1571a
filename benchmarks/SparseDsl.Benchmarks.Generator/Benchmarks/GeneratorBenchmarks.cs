using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using SparseDsl.Benchmarks.Generator.Corpus;

namespace SparseDsl.Benchmarks.Generator.Benchmarks;

/// <summary>
/// Generator time for 50 declared models: a full run from a fresh driver, and the incremental re-run after an edit
/// that touches no declaration. Drivers run as the compiler's do (no step tracking); the caching check tracks steps.
/// </summary>
[MemoryDiagnoser]
public class GeneratorBenchmarks
{
    private GeneratorWorkload _workload = null!;
    private GeneratorDriver _ranOnce = null!;

    /// <summary>Parses the corpus and runs the generator once, so the incremental benchmark starts from a warm driver.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _workload = GeneratorWorkload.Create();
        _ranOnce = GeneratorWorkload.CreateDriver(trackSteps: false).RunGenerators(_workload.Compilation);
    }

    /// <summary>
    /// A fresh driver over a fresh copy of the compilation. Clone keeps the syntax trees and the loaded references but
    /// drops the bound symbols, so each invocation pays the binding the generator triggers, as in a real build,
    /// instead of reusing what the previous invocation bound.
    /// </summary>
    [Benchmark(Baseline = true, Description = "Full generation, 50 models")]
    public GeneratorDriver FullGeneration() =>
        GeneratorWorkload.CreateDriver(trackSteps: false).RunGenerators(_workload.Compilation.Clone());

    /// <summary>
    /// The second run only: the driver that already ran (immutable, so every invocation starts from the same state)
    /// over a new compilation with the unrelated file replaced by its pre-parsed edit, as after an IDE keystroke.
    /// </summary>
    [Benchmark(Description = "Incremental re-run after unrelated edit")]
    public GeneratorDriver IncrementalAfterUnrelatedEdit() => _ranOnce.RunGenerators(_workload.WithUnrelatedEdit());
}
