using System.Globalization;
using System.Text;
using BenchmarkDotNet.Running;
using SparseDsl.Benchmarks.Memory;
using SparseDsl.Benchmarks.Models;
using SparseDsl.Benchmarks.Paired;
using SparseDsl.Benchmarks.Throughput;
using SparseDsl.Experiments.SatBenchmark;
using static TorchSharp.torch;

namespace SparseDsl.Benchmarks;

/// <summary>
/// The performance harness. <c>dotnet run -c Release -- [all|ratios|models|flops|memory|masks]</c> (default <c>all</c>):
/// <c>ratios</c> times generated vs hand-written and masked vs dense side by side (paired rounds), <c>models</c> runs
/// the same comparisons as BenchmarkDotNet suites, <c>flops</c> the
/// training FLOP/s against this machine's matmul peak, <c>memory</c> a 1,000-step run's RSS (growth and slope), managed
/// heap and live tensors, with the AdamW step's cost, and <c>masks</c> the step's mask products with bool and uint8
/// masks against float32 ones.
/// The timed commands' results go to stdout and to <c>benchmarks/results/</c>.
/// </summary>
public static class Program
{
    /// <summary>Runs the requested parts; exit code 2 for an unknown part, 1 when a check (equal logits, no leak) fails.</summary>
    public static int Main(string[] args)
    {
        string part = args.Length > 0 ? args[0] : "all";
        if (part is not ("all" or "ratios" or "models" or "flops" or "memory" or "masks"))
        {
            Console.Error.WriteLine($"error: unknown part '{part}'; use all, ratios, models, flops, memory or masks.");
            return 2;
        }
        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Machine.Describe()}, TorchSharp-cpu 0.107.0, .NET {Environment.Version}.");
        report.AppendLine();
        bool ok = true;
        // Memory first: the peak RSS it reports is the process's, which the larger models timed later would raise.
        if (part is "all" or "memory") ok &= Memory(report);
        if (part is "all" or "ratios") Ratios(report);
        if (part is "all" or "flops") Flops(report);
        if (part is "all" or "masks") Masks(report);
        if (part != "models") File.WriteAllText(Path.Combine(ResultsFolder.Path, $"timed-{part}.md"), report.ToString());
        Console.WriteLine(report);
        if (part is "all" or "models")
        {
            BenchmarkRunner.Run([typeof(GeneratedVsHandWrittenBenchmarks), typeof(MaskOverheadBenchmarks)]);
        }
        return ok ? 0 : 1;
    }

    private static void Ratios(StringBuilder report)
    {
        Console.WriteLine("Paired timings (median of per-round ratios):");
        report.AppendLine("| comparison | baseline ms | candidate ms | ratio (median) | 10th–90th percentile | rounds |");
        report.AppendLine("| --- | --- | --- | --- | --- | --- |");
        var (paired, maskProducts) = ModelRatios.Measure(Console.Out);
        foreach (var r in paired)
            report.AppendLine(CultureInfo.InvariantCulture, $"| {r.Name} | {r.BaselineMs:0.0} | {r.CandidateMs:0.0} | **{r.Ratio:0.000}** | {r.Low:0.000}–{r.High:0.000} | {r.Rounds} |");
        report.AppendLine();
        report.AppendLine("The mask's whole extra work, timed alone (every masked projection's forward W ⊙ M and backward G ⊙ M):");
        report.AppendLine();
        report.AppendLine("| d_model | mask products ms/step | dense step ms | share of the dense step |");
        report.AppendLine("| --- | --- | --- | --- |");
        foreach (var m in maskProducts)
            report.AppendLine(CultureInfo.InvariantCulture, $"| {m.Width} | {m.Milliseconds:0.0} | {m.DenseStepMilliseconds:0.0} | **{m.Milliseconds / m.DenseStepMilliseconds:P1}** |");
        report.AppendLine();
    }

    private static void Masks(StringBuilder report)
    {
        Console.WriteLine("Mask dtypes (paired):");
        report.AppendLine("Narrow masks: the step's mask products with bool or uint8 masks against the float32 masks the layers keep.");
        report.AppendLine();
        report.AppendLine("| d_model | mask dtype | float32 products ms | narrow products ms | ratio (median) | 10th–90th | extra, share of the dense step | mask memory float32 → narrow |");
        report.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (int width in new[] { 256, 512 })
        {
            using var dense = new ModelPair(width, sparsity: 0);
            var times = new List<double>();
            for (int i = 0; i < 23; i++)
            {
                var watch = System.Diagnostics.Stopwatch.StartNew();
                dense.Trainer.TrainStep();
                if (i >= 3) times.Add(watch.Elapsed.TotalMilliseconds);
            }
            double denseMs = PairedTiming.Percentile(times, 0.5);
            foreach (var r in MaskDtypeCost.Measure(width, denseMs, rounds: 60))
            {
                Console.WriteLine($"  {r.Paired.Name}: {r.Paired.Ratio:0.000}; extra {r.ShareOfDenseStep:P2} of a {denseMs:0.0} ms dense step");
                report.AppendLine(CultureInfo.InvariantCulture, $"| {width} | {r.Dtype} | {r.Paired.BaselineMs:0.00} | {r.Paired.CandidateMs:0.00} | **{r.Paired.Ratio:0.000}** | {r.Paired.Low:0.000}–{r.Paired.High:0.000} | **{r.ShareOfDenseStep:P2}** of {denseMs:0.0} ms | {r.Float32Bytes / 1048576.0:0.0} → {r.NarrowBytes / 1048576.0:0.0} MiB |");
            }
        }
        report.AppendLine();
    }

    private static void Flops(StringBuilder report)
    {
        Console.WriteLine("Matmul peak:");
        var (peak, size) = MatmulPeak.Measure(Console.Out);
        report.AppendLine(CultureInfo.InvariantCulture, $"Dense float32 matmul peak: **{peak:0.0} GFLOP/s** ({size}x{size}, best of 5).");
        report.AppendLine();
        report.AppendLine($"| d_model | ms/step ({ModelPair.Batch}x{ModelPair.Context} tokens) | training GFLOP/s | fraction of peak |");
        report.AppendLine("| --- | --- | --- | --- |");
        foreach (int width in new[] { 256, 512, 768 })
        {
            Console.WriteLine($"Training throughput at d_model {width}...");
            var (rate, ms) = TrainingFlops.Measure(width, steps: width >= 768 ? 5 : 10);
            report.AppendLine(CultureInfo.InvariantCulture, $"| {width} | {ms:0.0} | {rate:0.0} | **{rate / peak:P0}** |");
        }
        report.AppendLine();
    }

    private const int MemorySteps = 1000;

    private static bool Memory(StringBuilder report)
    {
        Console.WriteLine($"Memory over {MemorySteps:N0} training steps:");
        var (samples, peak) = MemoryRun.Measure(MemorySteps, Console.Out);
        int collections = GC.CollectionCount(0);
        var pauses = GC.GetTotalPauseDuration();
        var first = samples.First(s => s.Step == 100);
        var last = samples[^1];
        bool leak = last.LiveTensors > first.LiveTensors;
        var (growth, slope) = MemoryRun.Growth(samples);
        report.AppendLine(CultureInfo.InvariantCulture, $"Memory, {MemorySteps:N0} steps of the default model (width 128, 16x64 tokens, SAT on): peak RSS **{peak:0} MiB**; " +
            $"RSS growth **{growth:0} MiB** (median of the last {MemorySteps / 10} steps minus median of steps 40–60), slope over the last half **{slope:0.0} MiB per 100 steps**; " +
            $"live tensors {first.LiveTensors:+#;-#;0} at step {first.Step} and {last.LiveTensors:+#;-#;0} at step {last.Step} ({(leak ? "**GROWING: a leak**" : "no growth")}).");
        report.AppendLine();
        Console.WriteLine("AdamW step cost (paired):");
        var (step, trainStepMs) = AdamWStepCost.Measure(rounds: 200);
        report.AppendLine(CultureInfo.InvariantCulture, $"{step.Name}: TorchSharp's {step.BaselineMs:0.000} ms, SparseDsl's {step.CandidateMs:0.000} ms, ratio **{step.Ratio:0.000}** " +
            $"({step.Low:0.000}–{step.High:0.000}, {step.Rounds} rounds); difference {(step.CandidateMs - step.BaselineMs) / trainStepMs:P2} of a {trainStepMs:0.0} ms training step. " +
            $"GC over the memory run (process start to its end): {collections:N0} generation-0 collections, {pauses.TotalMilliseconds:0} ms of pauses in all.");
        report.AppendLine();
        report.AppendLine("| step | RSS MiB | managed heap MiB | live tensors since step 0 |");
        report.AppendLine("| --- | --- | --- | --- |");
        foreach (var s in samples.Where(s => s.Step % 100 == 0))
            report.AppendLine(CultureInfo.InvariantCulture, $"| {s.Step} | {s.ResidentMiB:0} | {s.ManagedMiB:0.0} | {s.LiveTensors:+#;-#;0} |");
        report.AppendLine();
        return !leak;
    }
}
