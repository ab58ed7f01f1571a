using System.Diagnostics;
using System.Globalization;
using System.Text;
using SparseDsl.Data;
using SparseDsl.Experiments.Sweep;
using static TorchSharp.torch;

namespace SparseDsl.Experiments.Vision;

/// <summary>One finished run of a vision LR sweep: its cell, test loss and accuracy, and whether it diverged.</summary>
public sealed record VisionSweepRecord(SweepRun Run, double TrainLoss, double TestLoss, double TestAccuracy, bool Diverged, double Seconds)
{
    /// <summary>The CSV header; a file with another header is refused rather than mixed.</summary>
    public const string Header = "parameterization,sparsity,density,width,log2_lr,lr,seed,train_loss,test_loss,test_accuracy,diverged,seconds";

    /// <summary>The record as the LM sweep's analysis and plot take it: the test loss in place of the validation loss.</summary>
    public SweepRecord AsSweepRecord(long steps) => new(Run, steps, TrainLoss, TestLoss, Diverged, Seconds);

    /// <summary>One CSV row.</summary>
    public string ToCsv() => string.Join(',',
        Run.Parameterization.Token(), F(Run.Sparsity), F(1 - Run.Sparsity), Run.Width.ToString(CultureInfo.InvariantCulture),
        Run.Log2LearningRate.ToString(CultureInfo.InvariantCulture), F(Run.LearningRate), Run.Seed.ToString(CultureInfo.InvariantCulture),
        F(TrainLoss), F(TestLoss), F(TestAccuracy), Diverged ? "true" : "false", Seconds.ToString("0.0", CultureInfo.InvariantCulture));

    /// <summary>Parses one CSV row; a malformed row is an <see cref="InvalidDataException"/> naming its line.</summary>
    public static VisionSweepRecord Parse(string line, string source, int lineNumber)
    {
        string[] f = line.Split(',');
        try
        {
            if (f.Length != 12) throw new FormatException($"expected 12 fields, found {f.Length}");
            var run = new SweepRun(ParameterizationNames.Parse(f[0]), D(f[1]), int.Parse(f[3], CultureInfo.InvariantCulture),
                int.Parse(f[4], CultureInfo.InvariantCulture), int.Parse(f[6], CultureInfo.InvariantCulture));
            return new VisionSweepRecord(run, D(f[7]), D(f[8]), D(f[9]), bool.Parse(f[10]), D(f[11]));
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            throw new InvalidDataException($"{source}, line {lineNumber}: {e.Message}");
        }
    }

    private static string F(double value) => value.ToString("R", CultureInfo.InvariantCulture);
    private static double D(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
}

/// <summary>
/// A learning-rate sweep of a vision model: parameterization × sparsity × base LR × seed, each one short training run
/// (<see cref="VisionRunner"/>) ranked by its test loss. The CSV is appended run by run, so a stopped sweep continues
/// where it was when run again with the same output folder; the summary and plot reuse the LM sweep's analysis
/// (<see cref="SweepAnalysis"/>) and figure (<see cref="SweepPlot"/>).
/// </summary>
public static class VisionSweep
{
    /// <summary>File names inside the output folder.</summary>
    public const string CsvFile = "sweep.csv", SettingsFile = "sweep-settings.txt", SummaryFile = "summary.md";

    /// <summary>Every run of the grid, in order: each curve's LRs together, so curves fill in one at a time.</summary>
    public static IReadOnlyList<SweepRun> Runs(IReadOnlyList<Parameterization> parameterizations, IReadOnlyList<double> sparsities,
        int width, IReadOnlyList<int> log2LearningRates, int seeds) =>
        (from parameterization in parameterizations
         from sparsity in sparsities
         from log2 in log2LearningRates
         from seed in Enumerable.Range(1, seeds)
         select new SweepRun(parameterization, sparsity, width, log2, seed)).ToList();

    /// <summary>The settings of one run: <paramref name="shared"/> with the run's parameterization, sparsity, width, LR and seed.</summary>
    public static VisionSettings Settings(VisionSettings shared, SweepRun run) => shared with
    {
        Parameterization = run.Parameterization,
        Sparsity = run.Sparsity,
        Width = run.Width,
        LearningRate = run.LearningRate,
        Seed = run.Seed,
        EvaluateEveryEpoch = false,
    };

    /// <summary>
    /// Runs what is missing of the grid, then writes <c>summary.md</c> and <c>sweep.png</c>; returns the records of the grid.
    /// With <paramref name="shard"/>, runs only that part of the grid (split by <see cref="SweepPartition"/>, as the LM
    /// sweep's) into <paramref name="output"/>/<see cref="SweepShard.FolderName"/>, with its manifest
    /// (<see cref="VisionSweepShards"/>), and writes no summary: <c>vision-sweep merge</c> joins the parts.
    /// </summary>
    public static IReadOnlyList<VisionSweepRecord> Run(VisionSettings shared, IReadOnlyList<SweepRun> runs, LabelledImages train, LabelledImages test,
        string output, Device device, TextWriter log, CancellationToken cancellation = default, SweepShard? shard = null)
    {
        var grid = runs;
        if (shard is not null)
        {
            var parts = VisionSweepShards.Assign(shared, grid, shard.Count);
            runs = grid.Where(r => parts[r.Key] == shard.Index).ToList();
            output = Path.Combine(output, shard.FolderName);
        }
        Directory.CreateDirectory(output);
        CheckSharedSettings(shared, train, test, Path.Combine(output, SettingsFile));
        if (shard is not null) VisionSweepShards.CheckManifest(VisionSweepShards.Manifest(shared, train, test, grid, shard), output);
        string csvPath = Path.Combine(output, CsvFile);
        var existing = ReadCsv(csvPath);
        var done = existing.Select(r => r.Run.Key).ToHashSet();
        var todo = runs.Where(r => !done.Contains(r.Key)).ToList();
        var inGrid = runs.Select(r => r.Key).ToHashSet();
        var records = existing.Where(r => inGrid.Contains(r.Run.Key)).ToList();
        log.WriteLine($"Sweep: {runs.Count} runs, {runs.Count - todo.Count} already in {csvPath}, {todo.Count} to run; each: {shared.Model}, {shared.Epochs} epoch(s) of batch {shared.Batch} on {train.Count:N0} images, tested on {test.Count:N0}.");

        bool fresh = !File.Exists(csvPath) || new FileInfo(csvPath).Length == 0;
        using (var csv = new StreamWriter(new FileStream(csvPath, FileMode.Append, FileAccess.Write, FileShare.Read)))
        {
            if (fresh) csv.WriteLine(VisionSweepRecord.Header);
            var watch = Stopwatch.StartNew();
            for (int i = 0; i < todo.Count; i++)
            {
                cancellation.ThrowIfCancellationRequested();
                var run = todo[i];
                var settings = Settings(shared, run);
                var result = VisionRunner.Run(settings, train, test, device, cancellation: cancellation);
                var record = result.Final is { } final
                    ? new VisionSweepRecord(run, result.Epochs[^1].TrainLoss, final.Loss, final.Accuracy, false, result.Elapsed.TotalSeconds)
                    : new VisionSweepRecord(run, double.NaN, double.NaN, double.NaN, true, result.Elapsed.TotalSeconds);
                csv.WriteLine(record.ToCsv());
                csv.Flush();
                records.Add(record);
                var eta = TimeSpan.FromSeconds(watch.Elapsed.TotalSeconds / (i + 1) * (todo.Count - i - 1));
                string outcome = record.Diverged ? "diverged" : FormattableString.Invariant($"test loss {record.TestLoss:0.0000}, accuracy {record.TestAccuracy:0.0000}");
                log.WriteLine(FormattableString.Invariant(
                    $"[{i + 1}/{todo.Count}] {run.Parameterization.DisplayName(),-5} sparsity {run.Sparsity,-7:0.#####} η 2^{run.Log2LearningRate,-3}: {outcome} ({record.Seconds:0.0} s)  elapsed {watch.Elapsed:hh\\:mm\\:ss}, ETA {eta:hh\\:mm\\:ss}"));
            }
        }

        if (shard is not null)
        {
            log.WriteLine($"Shard {shard}: {records.Count} of its {runs.Count} runs are in {csvPath}. Once every part has finished: vision-sweep merge {Path.GetDirectoryName(output)}");
            return records;
        }
        WriteResults(shared.Model, shared.Epochs, shared.Batch, train.Count, grid[0].Width, records, output, log);
        log.WriteLine($"Wrote {csvPath}, {Path.Combine(output, SummaryFile)} and {Path.Combine(output, "sweep.png")}.");
        return records;
    }

    /// <summary>
    /// Writes <c>summary.md</c> and <c>sweep.png</c> of <paramref name="records"/> into <paramref name="output"/> and prints
    /// the summary. An unsharded sweep and <c>vision-sweep merge</c> both end here, so the same runs give the same files.
    /// </summary>
    public static void WriteResults(VisionModel model, int epochs, int batch, int trainImages, int width, IReadOnlyList<VisionSweepRecord> records, string output, TextWriter log)
    {
        long steps = epochs * (long)Math.Max(1, trainImages / batch);
        var sweepRecords = records.Select(r => r.AsSweepRecord(steps)).ToList();
        string summary = Summary(records, sweepRecords);
        File.WriteAllText(Path.Combine(output, SummaryFile), summary);
        SweepPlot.Write(sweepRecords, width, Path.Combine(output, "sweep.png"), yLabel: "test loss (nats)", title: p => $"{p.DisplayName()}, {model} width {width}");
        log.WriteLine(summary);
    }

    /// <summary>
    /// The summary: the LM sweep's table of optima by test loss (with the drift across sparsity), then the test accuracy
    /// of every cell, the best of each curve in bold.
    /// </summary>
    public static string Summary(IReadOnlyList<VisionSweepRecord> records, IReadOnlyList<SweepRecord> asSweep)
    {
        var text = new StringBuilder();
        text.AppendLine("Ranked by test loss (the LM sweep's table, with test loss in place of validation loss):");
        text.AppendLine();
        text.Append(SweepAnalysis.Markdown(SweepAnalysis.Optima(asSweep)));
        text.AppendLine();
        text.AppendLine("Test accuracy of every cell (mean over seeds; — diverged), the best LR of each row in bold:");
        text.AppendLine();
        var lrs = records.Select(r => r.Run.Log2LearningRate).Distinct().Order().ToList();
        text.Append("| parameterization | sparsity | ").AppendJoin(" | ", lrs.Select(k => $"η 2^{k}")).AppendLine(" |");
        text.Append("| --- | --- | ").AppendJoin(" | ", lrs.Select(_ => "---")).AppendLine(" |");
        foreach (var row in records.GroupBy(r => (r.Run.Parameterization, r.Run.Sparsity)).OrderBy(g => g.Key.Parameterization).ThenBy(g => g.Key.Sparsity))
        {
            var cells = lrs.ToDictionary(k => k, k => row.Where(r => r.Run.Log2LearningRate == k).ToList());
            double Mean(int k) => cells[k].Count == 0 || cells[k].Any(r => r.Diverged) ? double.NaN : cells[k].Average(r => r.TestAccuracy);
            double best = lrs.Select(Mean).Where(double.IsFinite).DefaultIfEmpty(double.NaN).Max();
            text.Append(FormattableString.Invariant($"| {row.Key.Parameterization.DisplayName()} | {row.Key.Sparsity:0.#####} | "));
            text.AppendJoin(" | ", lrs.Select(k =>
            {
                if (cells[k].Count == 0) return "";
                double a = Mean(k);
                if (!double.IsFinite(a)) return "—";
                string s = a.ToString("0.0000", CultureInfo.InvariantCulture);
                return a == best ? $"**{s}**" : s;
            }));
            text.AppendLine(" |");
        }
        return text.ToString();
    }

    /// <summary>The records of a vision sweep's CSV (none when it does not exist); a partial last line is dropped from the file.</summary>
    internal static List<VisionSweepRecord> ReadCsv(string path)
    {
        if (!File.Exists(path)) return [];
        var lines = File.ReadAllText(path).Split('\n');
        if (lines.Length == 0 || (lines[0].TrimEnd('\r') != VisionSweepRecord.Header && lines[0].Length > 0))
            throw new InvalidDataException($"{path} is not a vision sweep results file (its first line is not the expected header). Use another --out.");
        var records = new List<VisionSweepRecord>();
        for (int i = 1; i < lines.Length - 1; i++) // the last element is empty or a line cut short by a crash
        {
            string line = lines[i].TrimEnd('\r');
            if (line.Length > 0) records.Add(VisionSweepRecord.Parse(line, path, i + 1));
        }
        if (lines[^1].Length > 0) File.WriteAllText(path, string.Join('\n', lines[..^1]) + "\n"); // drop a partial last line
        return records;
    }

    // What every run shares is fixed for the life of an output folder; the grid's axes may grow.
    internal static void CheckSharedSettings(VisionSettings shared, LabelledImages train, LabelledImages test, string path) =>
        CheckSharedSettings(SharedSettings(shared, train.Count, test.Count), path);

    /// <summary>What every run of a sweep shares, as <c>sweep-settings.txt</c> holds it.</summary>
    internal static string SharedSettings(VisionSettings shared, int trainImages, int testImages) => FormattableString.Invariant(
        $"model={shared.Model}\ndepth={shared.Depth?.ToString(CultureInfo.InvariantCulture) ?? "declared"}\nepochs={shared.Epochs}\nbatch={shared.Batch}\nschedule={shared.Schedule}\nwarmup={shared.Warmup}\nfinal-lr={shared.FinalLearningRate}\nweight-decay={shared.WeightDecay}\nclip={shared.Clip?.ToString(CultureInfo.InvariantCulture) ?? "off"}\ntrain-images={trainImages}\ntest-images={testImages}\n");

    internal static void CheckSharedSettings(string text, string path)
    {
        if (!File.Exists(path))
        {
            File.WriteAllText(path, text);
            return;
        }
        string existing = File.ReadAllText(path);
        if (existing != text)
            throw new ArgumentException($"{path} records a sweep with other shared settings ({existing.Replace('\n', ' ').Trim()}); use another --out or the same settings.");
    }
}
