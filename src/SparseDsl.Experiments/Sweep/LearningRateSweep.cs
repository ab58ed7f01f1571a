using System.Diagnostics;
using System.Globalization;
using SparseDsl.Experiments.Gpt;
using SparseDsl.Experiments.Tokenization;
using SparseDsl.Experiments.Training;
using static TorchSharp.torch;

namespace SparseDsl.Experiments.Sweep;

/// <summary>
/// The learning-rate sweep (μTransfer, the paper's Fig. 1): runs the grid of <see cref="SweepSettings"/> (resumable),
/// then writes the summary table and one plot per width. Files in the output folder: <c>sweep.csv</c> (every run),
/// <c>sweep-settings.txt</c> (what every run shares), <c>summary.md</c> and <c>sweep-width-W.png</c>. With a
/// <see cref="SweepShard"/> it runs part K of N of the grid into <c>output/shard-K-of-N</c> (its CSV, settings and
/// <see cref="SweepManifest"/>), and <see cref="SweepMerge"/> joins the parts into what one unsharded run writes.
/// </summary>
public static class LearningRateSweep
{
    /// <summary>File names inside the output folder.</summary>
    public const string CsvFile = "sweep.csv", SettingsFile = "sweep-settings.txt", SummaryFile = "summary.md";

    /// <summary>Runs what is missing of the sweep (or of one part of it), then writes the summary and plots; returns the exit code.</summary>
    /// <param name="settings">The grid and what every run shares.</param>
    /// <param name="output">The output folder; runs already in its <c>sweep.csv</c> are skipped.</param>
    /// <param name="device">cpu, cuda or cuda:N.</param>
    /// <param name="parallelRuns">Runs trained at the same time.</param>
    /// <param name="threadsPerRun">Torch threads per run (the process-wide count is restored afterwards).</param>
    /// <param name="log">Where progress, the cost statement and the summary are written.</param>
    /// <param name="cancellation">Stops between steps; the runs finished so far stay in the CSV.</param>
    /// <param name="shard">The part to run, into <paramref name="output"/>/<see cref="SweepShard.FolderName"/>; null: the whole grid.</param>
    public static int Run(SweepSettings settings, string output, string device, int parallelRuns, int threadsPerRun, TextWriter log,
        CancellationToken cancellation = default, SweepShard? shard = null)
    {
        settings.Validate();
        var resolved = DeviceSelector.Resolve(device);
        var all = shard is null ? settings.Runs() : SweepPartition.Runs(settings, shard);
        // Before anything is written: the largest cell, times the runs in flight, must fit the machine.
        MemoryCheck.EnsureFits(all.Select(settings.Config)
            .Select(c => MemoryCheck.Estimate(LanguageModels.Named(c.Model), c.Width, c.ModelOptions, c.Batch, c.Context)), parallelRuns);
        using var corpus = TrainingCorpus.Open(settings.Data, settings.Tokens);
        corpus.EnsureTokenizer(settings.Tokenizer, "the sweep expects");
        string folder = shard is null ? output : Path.Combine(output, shard.FolderName);
        Directory.CreateDirectory(folder);
        CheckSharedSettings(settings, Path.Combine(folder, SettingsFile));
        if (shard is not null) CheckManifest(new SweepManifest(settings, shard), folder);

        using var csv = SweepCsv.Open(Path.Combine(folder, CsvFile), settings.HasDepthAxis);
        var done = csv.Existing.Select(r => r.Run.Key).ToHashSet();
        var todo = all.Where(r => !done.Contains(r.Key)).ToList();
        // Torch's thread count is process-wide: the sweep sets its own for its runs and gives the caller's back after.
        int callerThreads = get_num_threads();
        set_num_threads(threadsPerRun);
        try
        {
            var records = RunGrid(settings, shard, parallelRuns, threadsPerRun, log, corpus, csv, all, todo, resolved, cancellation);
            if (shard is null)
            {
                WriteResults(settings, records, output, log);
                log.WriteLine($"Wrote {csv.Path}, {Path.Combine(output, SummaryFile)} and the plots.");
            }
            else
            {
                log.WriteLine($"Shard {shard}: {records.Count} of its {all.Count} runs are in {csv.Path}. Once every part has finished: sweep merge {output}");
            }
            return ExitCodes.Success;
        }
        finally
        {
            set_num_threads(callerThreads);
        }
    }

    private static List<SweepRecord> RunGrid(SweepSettings settings, SweepShard? shard, int parallelRuns, int threadsPerRun, TextWriter log,
        TrainingCorpus corpus, SweepCsv csv, IReadOnlyList<SweepRun> all, List<SweepRun> todo, Device resolved, CancellationToken cancellation)
    {
        log.WriteLine(Cost(settings, all.Count, todo, corpus.Source, parallelRuns, threadsPerRun, shard));

        // The summary covers this grid only: a folder may hold runs of a larger grid from an earlier invocation.
        var inGrid = all.Select(r => r.Key).ToHashSet();
        var records = new List<SweepRecord>(csv.Existing.Where(r => inGrid.Contains(r.Run.Key)));
        var watch = Stopwatch.StartNew();
        int finished = 0;
        double workDone = 0, workTotal = todo.Sum(Work);
        try
        {
            SweepRunner.RunAll(settings, todo, corpus, resolved, parallelRuns, record =>
            {
                csv.Append(record);
                lock (records)
                {
                    records.Add(record);
                    finished++;
                    workDone += Work(record.Run);
                    var eta = TimeSpan.FromSeconds(watch.Elapsed.TotalSeconds / workDone * (workTotal - workDone));
                    string outcome = record.Diverged ? "diverged" : string.Create(CultureInfo.InvariantCulture, $"validation {record.ValidationLoss:0.0000}");
                    log.WriteLine($"[{finished}/{todo.Count}] {Describe(record.Run)}: {outcome} ({record.Seconds:0.0} s)  elapsed {watch.Elapsed:hh\\:mm\\:ss}, ETA {eta:hh\\:mm\\:ss}");
                }
            }, cancellation);
        }
        catch (OperationCanceledException)
        {
            log.WriteLine($"interrupted: {finished} runs saved in {csv.Path}; run the same command again to continue.");
            throw;
        }
        return records;
    }

    /// <summary>
    /// Writes <c>summary.md</c> and one <c>sweep-width-W.png</c> per width of <paramref name="settings"/> into
    /// <paramref name="output"/> from <paramref name="records"/>, and prints the summary. An unsharded sweep and
    /// <c>sweep merge</c> both end here, so the same runs give the same files.
    /// </summary>
    public static void WriteResults(SweepSettings settings, IReadOnlyList<SweepRecord> records, string output, TextWriter log)
    {
        var optima = SweepAnalysis.Optima(records);
        string summary = settings.HasDepthAxis ? SweepAnalysis.DepthMarkdown(optima) : SweepAnalysis.Markdown(optima);
        AtomicFile.Write(Path.Combine(output, SummaryFile), stream => stream.Write(System.Text.Encoding.UTF8.GetBytes(summary)));
        // The settings, not an open corpus, say what a loss is per: sweep merge writes these plots with no corpus.
        string yLabel = settings.Tokens is not null ? $"validation loss (nats/token, {settings.Tokenizer})" : SweepPlot.BytesLossLabel;
        foreach (int width in settings.Widths.Order())
        {
            if (!settings.HasDepthAxis)
            {
                SweepPlot.Write(records, width, Path.Combine(output, $"sweep-width-{width}.png"), yLabel);
                continue;
            }
            foreach (double sparsity in settings.Sparsities.Order())
                SweepPlot.WriteDepth(records, width, sparsity, Path.Combine(output, string.Create(CultureInfo.InvariantCulture, $"sweep-depth-width-{width}-density-{1 - sparsity:0.#####}.png")), yLabel);
        }
        log.WriteLine(summary);
    }

    /// <summary>The cost statement printed before the first run.</summary>
    /// <param name="settings">The sweep.</param>
    /// <param name="total">The runs of the grid (or of the part).</param>
    /// <param name="todo">The runs still to train.</param>
    /// <param name="source">The corpus, in words.</param>
    /// <param name="parallelRuns">Runs trained at the same time.</param>
    /// <param name="threadsPerRun">Torch threads per run.</param>
    /// <param name="shard">The part being run (then <paramref name="total"/> counts that part's runs); null: the whole grid.</param>
    public static string Cost(SweepSettings settings, int total, IReadOnlyList<SweepRun> todo, string source, int parallelRuns, int threadsPerRun,
        SweepShard? shard = null)
    {
        long tokensPerRun = settings.Steps * settings.Batch * settings.Context;
        // The matmuls' training FLOPs (masks do not skip work), as the library counts them.
        double flops = todo.Sum(r => ModelCost.TrainingFlopsPerToken(Plan(settings.Config(r)), settings.Context) * tokensPerRun);
        int gridRuns = settings.Runs().Count;
        string part = shard is null ? "" : string.Create(CultureInfo.InvariantCulture, $"part {shard} of the grid, {total} of its ");
        string depthAxes = settings.HasDepthAxis ? $"{settings.Depths?.Count ?? 1} depths × {settings.DepthRules.Count} depth rules × " : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"Sweep of {settings.Model}: {part}{gridRuns} runs ({settings.Parameterizations.Count} parameterizations × {settings.Sparsities.Count} sparsities × {settings.Widths.Count} widths × {depthAxes}" +
            $"{settings.Log2LearningRates.Count} LRs × {settings.Seeds} seeds), " +
            $"{total - todo.Count} already done, {todo.Count} to run: {todo.Count * tokensPerRun / 1e6:0.#} M tokens, about {flops / 1e12:0.##} TFLOP of training, " +
            $"{parallelRuns} at a time with {threadsPerRun} threads each, on {source}.");
    }

    // Relative cost of a run, for the ETA: the blocks' matrices grow with width², and their number with depth.
    private static double Work(SweepRun run) => (double)run.Width * run.Width * Math.Max(1, run.Depth);

    private static ModelPlan Plan(RunConfig config) => LanguageModels.Named(config.Model).Plan(config.Width, config.ModelOptions);

    private static string Describe(SweepRun run) => string.Create(CultureInfo.InvariantCulture,
        $"{run.Parameterization.DisplayName(),-5} sparsity {run.Sparsity,-7:0.#####} width {run.Width,-4} ")
        + (run.Depth == 0 && run.DepthRule == DepthRule.None ? "" : string.Create(CultureInfo.InvariantCulture, $"depth {run.Depth,-2} {run.DepthRule.DisplayName(),-9} "))
        + string.Create(CultureInfo.InvariantCulture, $"η 2^{run.Log2LearningRate,-3} seed {run.Seed}");

    // The settings every run shares are fixed for the life of an output folder: mixing runs of different models,
    // lengths or batch sizes in one CSV would compare unlike things. The grid axes may grow (more LRs, more sparsities).
    internal static void CheckSharedSettings(SweepSettings settings, string path)
    {
        string shared = SharedSettings(settings);
        if (!File.Exists(path))
        {
            File.WriteAllText(path, shared);
            return;
        }
        string existing = File.ReadAllText(path);
        if (existing == shared) return;
        string recorded = RecordedModel(existing);
        if (recorded != settings.Model)
            throw new ArgumentException($"{path} records a sweep of {recorded}, not {settings.Model}; use another --out for a sweep of {settings.Model}.");
        throw new ArgumentException($"{path} records a sweep with other shared settings ({existing.Replace('\n', ' ').Trim()}); use another --out or the same settings.");
    }

    // Unlike a whole sweep, a part's grid cannot grow: the split depends on the whole grid, so a changed grid moves runs
    // between parts, and a re-run task with another grid would leave holes and overlaps for the merge to find.
    private static void CheckManifest(SweepManifest manifest, string folder)
    {
        string path = Path.Combine(folder, SweepManifest.FileName);
        if (File.Exists(path))
        {
            var existing = SweepManifest.Read(path);
            var differences = existing.Differences(manifest);
            if (differences.Count > 0)
                throw new ArgumentException($"{path} records part {existing.Shard} of another grid ({string.Join("; ", differences)}); use another --out or the same grid.");
            if (existing.Shard != manifest.Shard)
                throw new ArgumentException($"{path} records part {existing.Shard}, not {manifest.Shard}.");
            return;
        }
        manifest.Write(folder);
    }

    /// <summary>
    /// What <c>sweep-settings.txt</c> holds for <paramref name="settings"/>. A sweep of the default <c>GptLm</c> writes
    /// no <c>model=</c> line, so its file is the one every GPT sweep wrote before sweeps could train another model
    /// (and such folders resume); a sweep of any other model ends with <c>model=Name</c>.
    /// </summary>
    public static string SharedSettings(SweepSettings settings) => string.Create(CultureInfo.InvariantCulture,
        $"steps={settings.Steps}\n{(settings.Depths is null ? $"depth={settings.Depth}" : "depth=axis")}\nbatch={settings.Batch}\ncontext={settings.Context}\ndata={settings.Data ?? "bundled"}\n")
        + (settings.Model == LegacyModel ? "" : $"model={settings.Model}\n")
        + (settings.HasDepthAxis ? "results=with-depth\n" : "")
        // Only token-file sweeps write these, so every folder of a text sweep still resumes.
        + (settings.Tokens is null ? "" : $"tokens={settings.Tokens}\ntokenizer={settings.Tokenizer}\n");

    // The model of a settings file with no model= line: every sweep before the line existed trained GptLm.
    private const string LegacyModel = nameof(GptLm);

    private static string RecordedModel(string settingsFile) =>
        settingsFile.Split('\n').FirstOrDefault(l => l.StartsWith("model=", StringComparison.Ordinal)) is { } line ? line["model=".Length..] : LegacyModel;
}
