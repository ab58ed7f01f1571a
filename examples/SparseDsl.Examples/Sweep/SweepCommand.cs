using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using SparseDsl.Examples.Cli;
using SparseDsl.Examples.Gpt;
using SparseDsl.Examples.Tokenization;
using static TorchSharp.torch;

namespace SparseDsl.Examples.Sweep;

/// <summary>
/// The <c>sweep</c> command: runs the LR sweep grid (resumable), then writes the summary table and one plot per width.
/// Files in <c>--out</c>: <c>sweep.csv</c> (every run), <c>sweep-settings.txt</c> (what every run shares),
/// <c>summary.md</c> and <c>sweep-width-W.png</c>. With <c>--shard K/N</c> it runs part K of N of the grid into
/// <c>--out</c>/<c>shard-K-of-N</c> (its CSV, settings and <see cref="SweepManifest"/>), and <c>sweep merge</c>
/// (<see cref="SweepMergeCommand"/>) joins the parts into what one unsharded run writes.
/// </summary>
public static class SweepCommand
{
    /// <summary>File names inside the output folder.</summary>
    public const string CsvFile = "sweep.csv", SettingsFile = "sweep-settings.txt", SummaryFile = "summary.md";

    /// <summary>The <c>sweep</c> command.</summary>
    public static Command Create()
    {
        var defaults = new SweepSettings();
        var model = ModelArguments.ModelOption();
        var output = new Option<string>("--out") { Description = "Output folder; a sweep restarted with the same folder skips the runs already in its CSV", DefaultValueFactory = _ => Path.Combine("runs", "sweep") };
        var parameterizations = CliOptions.Checked(
            new Option<string[]>("--parameterizations")
            {
                Description = $"One or more of {CliOptions.ParameterizationChoices("and")}",
                AllowMultipleArgumentsPerToken = true,
                DefaultValueFactory = _ => [.. defaults.Parameterizations.Select(CliOptions.ParameterizationArgument)],
            },
            v => v.Length > 0 && v.All(p => ParameterizationNames.TryParse(p, out _)), CliOptions.ParameterizationChoices("and/or"));
        var sparsities = CliOptions.Checked(
            new Option<double[]>("--sparsities") { Description = "Sparsities of every sparse layer", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => defaults.Sparsities.ToArray() },
            v => v.Length > 0 && v.All(s => s is >= 0 and < 1), "sparsities in [0, 1)");
        var widths = CliOptions.Checked(
            new Option<int[]>("--widths") { Description = "Model widths (multiples of 32; of 128 for the Llama)", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => defaults.Widths.ToArray() },
            v => v.Length > 0 && v.All(w => w > 0 && w % 32 == 0), "positive multiples of 32");
        var lrs = CliOptions.Checked(
            new Option<int[]>("--log2-lrs") { Description = "Base learning rates as powers of 2 (η_base = 2^k)", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => defaults.Log2LearningRates.ToArray() },
            v => v.Length > 0 && v.All(k => k is >= -30 and <= 2), "integers in [-30, 2]");
        var seeds = CliOptions.Positive("--seeds", "Seeds per cell", defaults.Seeds);
        var steps = CliOptions.PositiveLong("--steps", "Training steps per run", defaults.Steps);
        var depth = CliOptions.Positive("--depth", "Transformer blocks (without --depths)", defaults.Depth);
        var depths = CliOptions.Checked(
            new Option<int[]>("--depths") { Description = "A depth axis: sweep these depths (the example's base depth is 2)", AllowMultipleArgumentsPerToken = true },
            v => v.Length > 0 && v.All(d => d > 0), "positive depths");
        var depthRules = CliOptions.Checked(
            new Option<string[]>("--depth-rules") { Description = $"Depth rules to compare: {CliOptions.DepthRuleChoices("and/or")} (default none)", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => ["none"] },
            v => v.Length > 0 && v.All(r => DepthRuleNames.TryParse(r, out _)), CliOptions.DepthRuleChoices("and/or"));
        var batch = CliOptions.Positive("--batch", "Sequences per step", defaults.Batch);
        var context = CliOptions.Positive("--context", "Sequence length in tokens (bytes, unless --tokens)", defaults.Context);
        var parallel = CliOptions.Positive("--parallel", "Runs trained at the same time", 1);
        var threads = CliOptions.Checked(new Option<int>("--threads") { Description = "Torch threads per run (default: cores / --parallel)" }, v => v > 0, "a positive integer");
        var device = CliOptions.Device();
        var data = new Option<string?>("--data") { Description = "Train on this text file (or .gz) instead of the bundled corpus" };
        var shard = new Option<string?>("--shard")
        {
            Description = $"Run one part of the grid, balanced by FLOPs, into --out/shard-K-of-N: {SweepShard.Forms}. Join the parts with 'sweep merge'",
        };
        var corpus = new CorpusArguments();

        var command = new Command("sweep",
            "Learning-rate sweep (μTransfer, the paper's Fig. 1): SP/μP/SμPar × sparsity × width × base LR; writes sweep.csv, summary.md and a plot per width. Resumable.")
        {
            model, output, parameterizations, sparsities, widths, lrs, seeds, steps, depth, depths, depthRules, batch, context, parallel, threads, device, data, shard,
            SweepMergeCommand.Create(),
        };
        foreach (var option in corpus.All) command.Options.Add(option);
        var depthAxis = new ModeAxis("depths", [new("one", "a sweep at one depth (without --depths)"), new("axis", "sweep --depths", "--depths", "1", "2")],
            r => r.GetResult(depths) is { Implicit: false } ? "axis" : "one");
        CommandModes.For(command, depthAxis).Only(depth, depthAxis, "one");
        command.SetAction((result, cancellation) =>
        {
            var settings = defaults with
            {
                Model = LanguageModels.Named(result.GetRequiredValue(model)).Name,
                Parameterizations = result.GetRequiredValue(parameterizations).Select(ParameterizationNames.Parse).Distinct().ToList(),
                Sparsities = result.GetRequiredValue(sparsities).Distinct().ToList(),
                Widths = result.GetRequiredValue(widths).Distinct().ToList(),
                Log2LearningRates = result.GetRequiredValue(lrs).Distinct().Order().ToList(),
                Seeds = result.GetValue(seeds),
                Steps = result.GetValue(steps),
                Depth = result.GetValue(depth),
                Depths = result.Given(depths) ? result.GetRequiredValue(depths).Distinct().Order().ToList() : null,
                DepthRules = result.GetRequiredValue(depthRules).Select(DepthRuleNames.Parse).Distinct().ToList(),
                Batch = result.GetValue(batch),
                Context = result.GetValue(context),
                Data = result.GetValue(data),
            };
            var source = corpus.Bind(result, new RunConfig { Data = settings.Data });
            settings = settings with { Tokens = source.Tokens, Tokenizer = source.Tokenizer, Vocabulary = source.Vocabulary };
            int parallelRuns = result.GetValue(parallel);
            int threadsPerRun = result.Given(threads) ? result.GetValue(threads) : Math.Max(1, Environment.ProcessorCount / parallelRuns);
            var part = result.GetValue(shard) is { } spec ? SweepShard.Parse(spec, Environment.GetEnvironmentVariable) : null;
            return Task.FromResult(Run(settings, result.GetRequiredValue(output), result.GetRequiredValue(device), parallelRuns, threadsPerRun,
                result.InvocationConfiguration.Output, cancellation, part));
        });
        return command;
    }

    /// <summary>Runs what is missing of the sweep (or of one part of it), then writes the summary and plots; returns the exit code.</summary>
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
