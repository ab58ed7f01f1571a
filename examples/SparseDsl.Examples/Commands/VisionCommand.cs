using System.CommandLine;
using System.Globalization;
using SparseDsl.Data;
using SparseDsl.Examples.Cli;
using static TorchSharp.torch;

namespace SparseDsl.Examples.Cli;

/// <summary>
/// <c>vision</c>: trains the sparse ConvNet or ViT on Fashion-MNIST read from <c>--data</c> (default: the Debian
/// package's folder) and prints a line per epoch with the training loss, the test loss and accuracy and the time.
/// </summary>
public static class VisionCommand
{
    /// <summary>The <c>vision</c> command.</summary>
    public static Command Create()
    {
        var defaults = new VisionSettings();
        var model = new Option<VisionModel>("--model") { Description = "convnet or vit", DefaultValueFactory = _ => defaults.Model };
        var data = DataOption();
        var width = CliOptions.Checked(new Option<int?>("--width") { Description = "Model width (default: the model's base width, ConvNet 32, ViT 64; the ViT's must be a multiple of its 16-wide heads)" }, v => v > 0, "a positive integer");
        var depth = CliOptions.Checked(new Option<int?>("--depth") { Description = "ViT layers (default 4)" }, v => v > 0, "a positive integer");
        var sparsity = CliOptions.Checked(
            new Option<double>("--sparsity") { Description = "Sparsity of every hidden layer; the stem/patch convolution stays dense", DefaultValueFactory = _ => defaults.Sparsity!.Value },
            v => v is >= 0 and < 1, "a number in [0, 1)");
        var parameterization = new ModelArguments().Parameterization;
        var epochs = CliOptions.Checked(new Option<int?>("--epochs") { Description = $"Passes over the training set (default: ConvNet {defaults.Epochs}, ViT {VisionSettings.For(VisionModel.Vit).Epochs})" }, v => v > 0, "a positive integer");
        var batch = CliOptions.Positive("--batch", "Images per step", defaults.Batch);
        var lr = CliOptions.Checked(new Option<double?>("--lr") { Description = FormattableString.Invariant($"Base learning rate η_base (default: ConvNet {defaults.LearningRate}, ViT {VisionSettings.For(VisionModel.Vit).LearningRate})") }, v => v > 0 && double.IsFinite(v.Value), "a positive number");
        var initStd = CliOptions.PositiveReal("--init-std", "σ_base", defaults.Hyperparameters.InitStd);
        var inputAlpha = CliOptions.PositiveReal("--input-alpha", "α_input, on the stem/patch convolution's output", defaults.Hyperparameters.InputAlpha);
        var outputAlpha = CliOptions.PositiveReal("--output-alpha", "α_output, on the logits", defaults.Hyperparameters.OutputAlpha);
        var schedule = new Option<ScheduleKind>("--schedule") { Description = "LR after warm-up: Linear, Cosine or Constant", DefaultValueFactory = _ => defaults.Schedule };
        var warmup = CliOptions.Fraction("--warmup", "Fraction of the steps spent warming up the LR from 0", defaults.Warmup);
        var finalLr = CliOptions.Fraction("--final-lr", "The last step's LR as a fraction of the peak", defaults.FinalLearningRate, includeOne: true);
        var weightDecay = CliOptions.Checked(
            new Option<double>("--weight-decay") { Description = "AdamW decoupled weight decay (weights only)", DefaultValueFactory = _ => defaults.WeightDecay },
            v => v >= 0 && double.IsFinite(v), "0 or a positive number");
        var clip = CliOptions.Checked(
            new Option<double>("--clip") { Description = "Clip the global gradient norm to this; 0 turns clipping off", DefaultValueFactory = _ => defaults.Clip ?? 0 },
            v => v >= 0 && double.IsFinite(v), "0 or a positive number");
        var seed = new Option<long>("--seed") { Description = "Seed for weights, masks and the order of the images", DefaultValueFactory = _ => defaults.Seed };
        var trainLimit = CliOptions.Checked(new Option<int?>("--train-limit") { Description = "Train on the first N training images only" }, v => v > 0, "a positive integer");
        var testLimit = CliOptions.Checked(new Option<int?>("--test-limit") { Description = "Test on the first N test images only" }, v => v > 0, "a positive integer");
        var threads = ThreadsOption();
        var logEvery = CliOptions.NonNegativeLong("--log-every", "Also print a progress line every N steps (0: per epoch only)", 200);
        var device = CliOptions.Device();

        var command = new Command("vision", "Train a sparse ConvNet or ViT on Fashion-MNIST (IDX files from --data) and report test accuracy per epoch")
        {
            model, data, width, depth, sparsity, parameterization, epochs, batch, lr, initStd, inputAlpha, outputAlpha, schedule, warmup, finalLr, weightDecay, clip, seed,
            trainLimit, testLimit, threads, logEvery, device,
        };
        var family = ModelAxis("vision", model);
        CommandModes.For(command, family).Only(depth, family, "vit");
        command.SetAction((result, cancellation) =>
        {
            var chosen = VisionSettings.For(result.GetValue(model));
            double rate = result.GetValue(lr) ?? chosen.LearningRate;
            var settings = chosen with
            {
                Width = result.GetValue(width) ?? chosen.Width,
                Depth = result.GetValue(depth),
                Sparsity = result.GetValue(sparsity),
                Parameterization = result.GetValue(parameterization),
                Epochs = result.GetValue(epochs) ?? chosen.Epochs,
                Batch = result.GetValue(batch),
                LearningRate = rate,
                Hyperparameters = new BaseHyperparameters(result.GetValue(initStd), rate, result.GetValue(inputAlpha), result.GetValue(outputAlpha)),
                Schedule = result.GetValue(schedule),
                Warmup = result.GetValue(warmup),
                FinalLearningRate = result.GetValue(finalLr),
                WeightDecay = result.GetValue(weightDecay),
                Clip = result.GetValue(clip) is > 0 and var c ? c : null,
                Seed = result.GetValue(seed),
            };
            return Task.FromResult(VisionJob.Run(settings, result.GetRequiredValue(data), result.GetValue(trainLimit), result.GetValue(testLimit),
                result.Given(threads) ? result.GetValue(threads) : Environment.ProcessorCount, result.GetValue(logEvery),
                result.GetRequiredValue(device), result.InvocationConfiguration.Output, cancellation));
        });
        return command;
    }

    /// <summary>The axis "which vision model" of <paramref name="command"/>, chosen by <paramref name="model"/>: <c>convnet</c> or <c>vit</c>.</summary>
    internal static ModeAxis ModelAxis(string command, Option<VisionModel> model) =>
        new("model", [new("convnet", $"{command} --model convnet, whose layers are fixed", "--model", "convnet"), new("vit", $"{command} --model vit", "--model", "vit")],
            r => CommandModes.Value(r, model) == VisionModel.Vit ? "vit" : "convnet");

    /// <summary>The <c>--data</c> option shared with <c>vision-sweep</c>.</summary>
    internal static Option<string> DataOption() => new("--data")
    {
        Description = "Folder with the four Fashion-MNIST IDX files (.gz or plain); the default is where Debian's dataset-fashion-mnist puts them",
        DefaultValueFactory = _ => FashionMnist.DebianDirectory,
    };

    /// <summary>The <c>--threads</c> option shared with <c>vision-sweep</c>.</summary>
    internal static Option<int> ThreadsOption() =>
        CliOptions.Checked(new Option<int>("--threads") { Description = "Torch threads (default: the core count)" }, v => v > 0, "a positive integer");
}
