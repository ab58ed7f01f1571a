using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using SparseDsl.Examples.Cli;
using SparseDsl.Experiments.Gpt;
using static TorchSharp.torch;

namespace SparseDsl.Examples.Cli;

/// <summary>
/// The <c>sparse-benchmark</c> command: for each width and sparsity, the example LM trained for the same steps with
/// masked-dense and with sparse weight storage, each arm in a child process of its own; prints (and with <c>--out</c>
/// writes) tokens/s, peak resident set and checkpoint size side by side, beside the matmul-only ideal.
/// </summary>
public static class SparseBenchmarkCommand
{
    private const string ArmOption = "--arm", ArmOutOption = "--arm-out";

    /// <summary>The <c>sparse-benchmark</c> command.</summary>
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = $"The LM: {LanguageModels.Choices}", DefaultValueFactory = _ => LanguageModels.Default.Name };
        var widths = CliOptions.Checked(
            new Option<int[]>("--widths") { Description = "Model widths", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => [1024] },
            v => v.Length > 0 && v.All(w => w > 0), "positive widths");
        var sparsities = CliOptions.Checked(
            new Option<double[]>("--sparsities") { Description = "Sparsities of every sparse layer", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => [0.96875, 0.875] },
            v => v.Length > 0 && v.All(s => s is > 0 and < 1), "sparsities in (0, 1)");
        var depth = CliOptions.Positive("--depth", "Transformer blocks", 4);
        var batch = CliOptions.Positive("--batch", "Sequences per step", 4);
        var context = CliOptions.Positive("--context", "Tokens per sequence", 256);
        var steps = CliOptions.PositiveLong("--steps", "Timed optimizer steps per arm", 3);
        var warmup = CliOptions.NonNegativeLong("--warmup", "Untimed steps per arm before the timed ones", 1);
        var repeats = CliOptions.Positive("--repeats", "Runs of each arm, the order alternating; the fastest counts", 1);
        var seed = new Option<long>("--seed") { Description = "Seed of both arms' weights, masks and batches", DefaultValueFactory = _ => 1 };
        var threads = CliOptions.Positive("--threads", "Torch threads per arm (default: the core count)", Environment.ProcessorCount);
        var data = new Option<string?>("--data") { Description = "Train on this text file (or .gz) instead of the bundled corpus" };
        var output = new Option<string?>("--out") { Description = "Also write the report as Markdown to this file" };
        var arm = new Option<WeightStorage?>(ArmOption) { Description = "(internal) Run one arm with this storage in this process and write its result to --arm-out", Hidden = true };
        var storage = CliOptions.Checked(CliOptions.StorageOption(), v => v != WeightStorage.Dense, "auto or sparse (the first arm is always dense)");
        storage.Description = "The second arm's storage: auto (the dispatch rule picks per layer, what a user gets) or sparse (every masked layer forced sparse)";
        var kernels = new Option<bool>("--kernels") { Description = "Time each sparse layer shape of the model at each width and sparsity alone (dense masked vs sparse kernels, batch × context tokens): the crossover the auto dispatch rule is read from" };
        var recompute = new Option<RecomputedArms>("--recompute")
        {
            Description = "Which arms recompute their blocks' activations in the backward pass: none, sparse (the sparse arm, against today's masked-dense run) or both (the arms then differ in weight storage only)",
            DefaultValueFactory = _ => RecomputedArms.None,
        };
        var armOut = new Option<string?>(ArmOutOption) { Description = "(internal) Where --arm writes its result", Hidden = true };

        var command = new Command("sparse-benchmark", "Masked-dense vs sparse weight storage, same model, same tokens: tokens/s, peak RSS and checkpoint size (docs/performance.md)");
        foreach (var option in new Option[] { model, widths, sparsities, depth, batch, context, steps, warmup, repeats, seed, threads, data, output, storage, recompute, kernels, arm, armOut })
            command.Options.Add(option);
        var role = new ModeAxis("role",
            [new("compare", "sparse-benchmark"), new("kernels", "sparse-benchmark --kernels", "--kernels"), new("arm", "sparse-benchmark --arm (one arm, internal)", ArmOption, "sparse")],
            r => r.GetResult(arm) is { Implicit: false } ? (CommandModes.Value(r, kernels) ? throw new ArgumentException("--kernels does not run arms.") : "arm")
                : CommandModes.Value(r, kernels) ? "kernels" : "compare");
        CommandModes.For(command, role)
            .Only(output, role, "compare", "kernels")
            .Only([repeats, storage], role, "compare")
            .Only([depth, steps, warmup, seed, data, recompute], role, "compare", "arm")
            .Only(armOut, role, "arm");
        command.SetAction((result, cancellation) =>
        {
            var log = result.InvocationConfiguration.Output;
            var settings = new SparseBenchmarkSettings(LanguageModels.Named(result.GetRequiredValue(model)).Name, result.GetRequiredValue(widths).Distinct().ToList(),
                result.GetRequiredValue(sparsities).Distinct().ToList(), result.GetValue(depth), result.GetValue(batch), result.GetValue(context), result.GetValue(steps),
                result.GetValue(warmup), result.GetValue(seed), result.GetValue(threads), result.GetValue(repeats), result.GetValue(storage),
                result.GetValue(recompute));
            if (result.GetValue(arm) is { } armStorage)
            {
                if (settings.Widths.Count != 1 || settings.Sparsities.Count != 1) throw new ArgumentException($"{ArmOption} runs one width and one sparsity.");
                string target = result.GetValue(armOut) ?? throw new ArgumentException($"{ArmOption} needs {ArmOutOption}.");
                var one = new SparseArm(settings.Model, settings.Widths[0], settings.Depth, settings.Sparsities[0], armStorage, settings.Batch, settings.Context,
                    settings.Steps, settings.Warmup, settings.Seed, settings.Threads, Checkpoint: true, Recompute: settings.Recomputes(armStorage));
                var measured = ArmRunner.Run(one, BundledCorpus.OpenOrDefault(result.GetValue(data)), log, cancellation);
                File.WriteAllText(target, JsonSerializer.Serialize(measured, SparseBenchmarkJsonContext.Default.SparseArmResult));
                return Task.FromResult(ExitCodes.Success);
            }
            int callerThreads = get_num_threads();
            string markdown;
            if (result.GetValue(kernels))
            {
                set_num_threads(settings.Threads);
                try
                {
                    markdown = KernelGrid.Run(settings.Model, settings.Widths, settings.Sparsities, settings.Batch * settings.Context, log, cancellation);
                }
                finally
                {
                    set_num_threads(callerThreads);
                }
            }
            else
            {
                var cells = SparseBenchmarkRunner.Run(settings, new ChildProcessLauncher((arm, path) => ArmArguments(arm, path, result.GetValue(data))), log, cancellation);
                markdown = SparseBenchmarkReport.ToMarkdown(settings, cells);
            }
            BenchmarkReportFile.Publish(result, output, markdown, log);
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    /// <summary>The command line of a child process that runs <paramref name="arm"/> and writes its result to <paramref name="result"/>.</summary>
    internal static IEnumerable<string> ArmArguments(SparseArm arm, string result, string? data)
    {
        var c = CultureInfo.InvariantCulture;
        string[] arguments =
        [
            "sparse-benchmark", ArmOption, arm.Storage.ToString().ToLowerInvariant(), ArmOutOption, result, "--model", arm.Model,
            "--widths", arm.Width.ToString(c), "--sparsities", arm.Sparsity.ToString("R", c), "--depth", arm.Depth.ToString(c),
            "--batch", arm.Batch.ToString(c), "--context", arm.Context.ToString(c), "--steps", arm.Steps.ToString(c),
            "--warmup", arm.Warmup.ToString(c), "--seed", arm.Seed.ToString(c), "--threads", arm.Threads.ToString(c),
            // The child recomputes under "both" whatever its storage, and not at all under "none".
            "--recompute", (arm.Recompute ? RecomputedArms.Both : RecomputedArms.None).ToString().ToLowerInvariant(),
        ];
        return data is null ? arguments : [.. arguments, "--data", data];
    }
}
