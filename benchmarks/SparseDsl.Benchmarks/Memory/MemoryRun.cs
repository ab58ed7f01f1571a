using System.Diagnostics;
using SparseDsl.Data;
using SparseDsl.Experiments;
using SparseDsl.Experiments.Gpt;
using TorchSharp;

namespace SparseDsl.Benchmarks.Memory;

/// <summary>
/// Issue target 5: a long training run of the example's default model (width 128, SAT on, as <c>train</c> runs it)
/// sampled every 100 steps: resident memory and the number of live TorchSharp tensors. A leak shows as a live-tensor
/// count that keeps rising; allocator caches show as an RSS that levels off.
/// </summary>
public static class MemoryRun
{
    /// <summary>One sample.</summary>
    public sealed record Sample(long Step, double ResidentMiB, double ManagedMiB, long LiveTensors);

    /// <summary>
    /// RSS growth the way <c>ResidentMemoryTests</c> measures it (median RSS of the last tenth of the run minus the median
    /// of steps 40–60), and the least-squares RSS slope over the last half, in MiB per 100 steps.
    /// </summary>
    public static (double GrowthMiB, double SlopeMiBPer100Steps) Growth(IReadOnlyList<Sample> samples)
    {
        long last = samples[^1].Step;
        double early = PairedMedian(samples.Where(s => s.Step is >= 40 and <= 60).Select(s => s.ResidentMiB));
        double late = PairedMedian(samples.Where(s => s.Step > last - last / 10).Select(s => s.ResidentMiB));
        var half = samples.Where(s => s.Step > last / 2).ToList();
        double mx = half.Average(s => (double)s.Step), my = half.Average(s => s.ResidentMiB);
        double slope = half.Sum(s => (s.Step - mx) * (s.ResidentMiB - my)) / half.Sum(s => (s.Step - mx) * (s.Step - mx));
        return (late - early, 100 * slope);
    }

    private static double PairedMedian(IEnumerable<double> values) => Paired.PairedTiming.Percentile(values.ToList(), 0.5);

    /// <summary>Trains <paramref name="steps"/> steps and returns the samples and the process's peak RSS.</summary>
    public static (IReadOnlyList<Sample> Samples, double PeakMiB) Measure(int steps, TextWriter log)
    {
        var corpus = BundledCorpus.Open();
        using var model = new GptLm(128, seed: 1, options: new ModelOptions { Depth = 2 });
        using var trainer = model.CreateTrainer(new TrainerSettings { Steps = steps }, new NextTokenBatches(corpus, 16, 64, seed: 1));
        var process = Process.GetCurrentProcess();
        var samples = new List<Sample>();
        DisposeScopeManager.Statistics.Reset();
        for (long step = 1; step <= steps; step++)
        {
            trainer.TrainStep();
            if (step % 10 != 0) continue; // every 10 steps for the growth figures; printed every 100
            process.Refresh();
            var sample = new Sample(step, process.WorkingSet64 / 1048576.0, GC.GetTotalMemory(forceFullCollection: false) / 1048576.0, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
            samples.Add(sample);
            if (step % 100 != 0) continue;
            log.WriteLine($"  step {sample.Step,5}: RSS {sample.ResidentMiB:0.0} MiB, managed heap {sample.ManagedMiB:0.0} MiB, live tensors {sample.LiveTensors:+#;-#;0} since step 0");
        }
        process.Refresh();
        return (samples, process.PeakWorkingSet64 / 1048576.0);
    }
}
