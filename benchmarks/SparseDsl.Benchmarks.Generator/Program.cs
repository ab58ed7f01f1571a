using SparseDsl.Benchmarks.Generator.Benchmarks;
using SparseDsl.Benchmarks.Generator.Checking;
using SparseDsl.Benchmarks.Generator.Corpus;

// First the deterministic caching check (fails fast, no timing noise), then the timings unless --check-only.
bool checkOnly = args.Contains("--check-only", StringComparer.Ordinal);
bool passed = CachingCheck.Run(GeneratorWorkload.Create(), Console.Out);
if (!passed) return 1;
if (checkOnly) return 0;

Console.WriteLine();
var benchmarkArgs = args.Where(a => a != "--check-only").ToArray();
GeneratorBenchmarkRunner.Run(benchmarkArgs);
return 0;
