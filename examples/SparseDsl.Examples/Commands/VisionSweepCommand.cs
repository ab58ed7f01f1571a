using System.CommandLine;
using SparseDsl.Examples.Cli;
using SparseDsl.Experiments.Sweep;
using static TorchSharp.torch;

namespace SparseDsl.Examples.Cli;

/// <summary>
/// <c>vision-sweep</c>: the LR sweep of a vision model on Fashion-MNIST (SP vs SμPar across sparsity by default), one
/// short run per cell; writes <c>sweep.csv</c>, <c>summary.md</c> and <c>sweep.png</c> to <c>--out</c>. Resumable.
/// </summary>
public static class VisionSweepCommand
{
    /// <summary>The <c>vision-sweep</c> command.</summary>
    public static Command Create()
    {
        var defaults = new VisionSettings { Epochs = 1 };
        var model = new Option<VisionModel>("--model") { Description = "convnet or vit", DefaultValueFactory = _ => defaults.Model };
        var data = VisionCommand.DataOption();
        var output = new Option<string>("--out") { Description = "Output folder; a sweep restarted with the same folder skips the runs already in its CSV", DefaultValueFactory = _ => Path.Combine("runs", "vision-sweep") };
        var parameterizations = SweepGridOptions.Parameterizations(["sp", "supar"]);
        var sparsities = SweepGridOptions.Sparsities("hidden layer", [0, 0.75, 0.9375]);
        var lrs = SweepGridOptions.Log2LearningRates([-12, -11, -10, -9, -8, -7, -6, -5]);
        var width = CliOptions.Checked(new Option<int?>("--width") { Description = "Model width (default: the model's base width, ConvNet 32, ViT 64; the ViT's must be a multiple of its 16-wide heads)" }, v => v > 0, "a positive integer");
        var depth = CliOptions.Checked(new Option<int?>("--depth") { Description = "ViT layers (default 4)" }, v => v > 0, "a positive integer");
        var seeds = CliOptions.Positive("--seeds", "Seeds per cell", 1);
        var epochs = CliOptions.Positive("--epochs", "Passes over the (limited) training set per run", defaults.Epochs);
        var batch = CliOptions.Positive("--batch", "Images per step", defaults.Batch);
        var trainLimit = CliOptions.Checked(new Option<int?>("--train-limit") { Description = "Train on the first N training images", DefaultValueFactory = _ => 10_000 }, v => v > 0, "a positive integer");
        var testLimit = CliOptions.Checked(new Option<int?>("--test-limit") { Description = "Test on the first N test images (default: all)" }, v => v > 0, "a positive integer");
        var threads = VisionCommand.ThreadsOption();
        var device = CliOptions.Device();
        var shard = SweepGridOptions.Shard("vision-sweep merge");

        var command = new Command("vision-sweep",
            "LR sweep of a vision model on Fashion-MNIST: parameterization × sparsity × base LR, one short run each; writes sweep.csv, summary.md and sweep.png. Resumable.")
        {
            model, data, output, parameterizations, sparsities, lrs, width, depth, seeds, epochs, batch, trainLimit, testLimit, threads, device, shard,
            VisionSweepMergeCommand.Create(),
        };
        var family = VisionCommand.ModelAxis("vision-sweep", model);
        CommandModes.For(command, family).Only(depth, family, "vit");
        command.SetAction((result, cancellation) =>
        {
            var chosen = VisionSettings.For(result.GetValue(model));
            var shared = chosen with
            {
                Width = result.GetValue(width) ?? chosen.Width,
                Depth = result.GetValue(depth),
                Epochs = result.GetValue(epochs),
                Batch = result.GetValue(batch),
            };
            var runs = VisionSweep.Runs(
                result.GetRequiredValue(parameterizations).Select(ParameterizationNames.Parse).Distinct().ToList(),
                result.GetRequiredValue(sparsities).Distinct().ToList(), shared.Width,
                result.GetRequiredValue(lrs).Distinct().Order().ToList(), result.GetValue(seeds));
            // Bad widths, and a run larger than the machine, are refused before any data is read or anything is written.
            MemoryCheck.EnsureFits(runs.DistinctBy(r => (r.Parameterization, r.Sparsity)).Select(run => VisionSweep.Settings(shared, run).MemoryEstimate()));
            var part = result.GetValue(shard) is { } spec ? SweepShard.Parse(spec, Environment.GetEnvironmentVariable) : null;
            var resolved = DeviceSelector.Resolve(result.GetRequiredValue(device));
            var (train, test) = VisionJob.LoadData(result.GetRequiredValue(data), result.GetValue(trainLimit), result.GetValue(testLimit));
            if (shared.Batch > train.Count) throw new ArgumentException($"--batch {shared.Batch} is larger than the {train.Count:N0} training images.");
            int callerThreads = get_num_threads();
            set_num_threads(result.Given(threads) ? result.GetValue(threads) : Environment.ProcessorCount);
            try
            {
                VisionSweep.Run(shared, runs, train, test, result.GetRequiredValue(output), resolved, result.InvocationConfiguration.Output, cancellation, part);
                return Task.FromResult(ExitCodes.Success);
            }
            finally
            {
                set_num_threads(callerThreads);
            }
        });
        return command;
    }
}
