using System.CommandLine;
using SparseDsl.Examples.Cli;
using SparseDsl.Experiments.Gpt;
using static TorchSharp.torch;

namespace SparseDsl.Examples.Cli;

/// <summary>
/// The <c>sat-benchmark</c> command: dense vs SAT over MLP neurons vs SAT over MLP neurons and attention heads, training
/// the example LM for the same tokens side by side in one process; prints (and with <c>--out</c> writes) the throughput
/// ratios, the validation-loss differences and the time per omission rate.
/// </summary>
public static class SatBenchmarkCommand
{
    /// <summary>The <c>sat-benchmark</c> command.</summary>
    public static Command Create()
    {
        var defaults = new RunConfig { Width = 256, Steps = 200, Context = 64, Batch = 16 };
        var model = new Option<string>("--model") { Description = $"The LM: {LanguageModels.Choices}", DefaultValueFactory = _ => defaults.Model };
        var width = CliOptions.Positive("--width", "Model width", defaults.Width);
        var depth = CliOptions.Positive("--depth", "Transformer blocks", defaults.Depth);
        var steps = CliOptions.PositiveLong("--steps", "Optimizer steps per arm", defaults.Steps);
        var batch = CliOptions.Positive("--batch", "Sequences per step", defaults.Batch);
        var context = CliOptions.Positive("--context", "Sequence length in bytes", defaults.Context);
        var sparsity = CliOptions.Checked(
            new Option<double?>("--sparsity") { Description = "Every sparse layer's sparsity (default: as declared, 0.875)" },
            v => v is null or (>= 0 and < 1), "a number in [0, 1)");
        var pretrain = CliOptions.NonNegativeLong("--pretrain-steps", "Dense steps trained once (untimed) before both arms continue from them, as in the paper's continual pre-training; 0: both start from init", 0);
        var seed = new Option<long>("--seed") { Description = "Seed of both arms' weights, masks and batches", DefaultValueFactory = _ => defaults.Seed };
        var data = new Option<string?>("--data") { Description = "Train on this text file (or .gz) instead of the bundled corpus" };
        var device = CliOptions.Device();
        var output = new Option<string?>("--out") { Description = "Also write the result as Markdown to this file" };
        var threads = CliOptions.Checked(new Option<int>("--threads") { Description = "Torch threads (default: as configured, the core count)" }, v => v > 0, "a positive integer");
        var sat = new SatArguments(headRateDefault: "the MLP's, --sat-rate's");

        var command = new Command("sat-benchmark", "Dense vs SAT over MLP neurons vs SAT over neurons and attention heads, same model, same tokens: tokens/s ratios and validation loss");
        foreach (var option in new Option[] { model, width, depth, steps, batch, context, sparsity, pretrain, seed, data, device, output, threads, sat.Rate, sat.Metric, sat.HeadRate, sat.HeadMetric })
            command.Options.Add(option);
        command.SetAction((result, cancellation) =>
        {
            var log = result.InvocationConfiguration.Output;
            var config = sat.Bind(result, defaults with
            {
                Model = LanguageModels.Named(result.GetRequiredValue(model)).Name,
                Width = result.GetValue(width),
                Depth = result.GetValue(depth),
                Steps = result.GetValue(steps),
                Batch = result.GetValue(batch),
                Context = result.GetValue(context),
                Sparsity = result.GetValue(sparsity),
                Seed = result.GetValue(seed),
                Data = result.GetValue(data),
            });
            // The heads arm shares the MLP's ladder; without --sat-head-rate its heads start at the MLP's first-rung rate.
            // (--sat is not an option here: the arms say what trains dense.)
            config = config with { Sat = true, SatHeadRate = config.SatHeadRate ?? config.SatRate ?? SparsityAcceleration.Default.Schedule.InitialRate };
            var corpus = BundledCorpus.OpenOrDefault(config.Data);
            int callerThreads = get_num_threads();
            if (result.Given(threads)) set_num_threads(result.GetValue(threads));
            SatBenchmarkResult report;
            try
            {
                report = SatBenchmarkRunner.Run(config, result.GetValue(pretrain), corpus, DeviceSelector.Resolve(result.GetRequiredValue(device)), log, cancellation);
            }
            finally
            {
                set_num_threads(callerThreads);
            }
            string markdown = report.ToMarkdown();
            BenchmarkReportFile.Publish(result, output, markdown, log);
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }
}
