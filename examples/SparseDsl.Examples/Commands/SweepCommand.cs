using System.CommandLine;
using SparseDsl.Experiments.Gpt;
using SparseDsl.Experiments.Tokenization;

namespace SparseDsl.Examples.Cli;

/// <summary>
/// The <c>sweep</c> command: binds its options to <see cref="SweepSettings"/> and runs <see cref="LearningRateSweep.Run"/>;
/// <c>sweep merge</c> (<see cref="SweepMergeCommand"/>) joins the parts of a sharded sweep.
/// </summary>
public static class SweepCommand
{
    /// <summary>The <c>sweep</c> command.</summary>
    public static Command Create()
    {
        var defaults = new SweepSettings();
        var model = ModelArguments.ModelOption();
        var output = new Option<string>("--out") { Description = "Output folder; a sweep restarted with the same folder skips the runs already in its CSV", DefaultValueFactory = _ => Path.Combine("runs", "sweep") };
        var parameterizations = SweepGridOptions.Parameterizations(defaults.Parameterizations.Select(CliOptions.ParameterizationArgument));
        var sparsities = SweepGridOptions.Sparsities("sparse layer", defaults.Sparsities);
        var widths = CliOptions.Checked(
            new Option<int[]>("--widths") { Description = "Model widths (multiples of 32; of 128 for the Llama)", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => defaults.Widths.ToArray() },
            v => v.Length > 0 && v.All(w => w > 0 && w % 32 == 0), "positive multiples of 32");
        var lrs = SweepGridOptions.Log2LearningRates(defaults.Log2LearningRates);
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
        var shard = SweepGridOptions.Shard("sweep merge");
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
            return Task.FromResult(LearningRateSweep.Run(settings, result.GetRequiredValue(output), result.GetRequiredValue(device), parallelRuns, threadsPerRun,
                result.InvocationConfiguration.Output, cancellation, part));
        });
        return command;
    }
}
