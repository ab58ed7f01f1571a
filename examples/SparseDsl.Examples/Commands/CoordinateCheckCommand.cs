using System.CommandLine;
using System.CommandLine.Parsing;
using System.Diagnostics;
using SparseDsl.Data;
using SparseDsl.Examples.Cli;
using SparseDsl.Experiments.Gpt;
using SparseDsl.Experiments.Tokenization;
using SparseDsl.Experiments.Vision;
using static TorchSharp.torch;

namespace SparseDsl.Examples.Cli;

/// <summary>
/// The <c>coord-check</c> command: runs the grid for an LM of <see cref="LanguageModels"/> or a Fashion-MNIST model
/// (<c>convnet</c>, <c>vit</c>), writes CSV and the two PNG plots; with <c>--sweep depth</c> (LMs only), the coordinate
/// check across depth (depth rules × depths at one width), its CSV, a plot per density and a summary.
/// </summary>
public static class CoordinateCheckCommand
{
    /// <summary>The <c>coord-check</c> command.</summary>
    public static Command Create()
    {
        var lm = new CoordinateCheckSettings();
        var convNet = VisionFamily.Defaults(VisionModel.ConvNet);
        var vit = VisionFamily.Defaults(VisionModel.Vit);
        string Defaults<T>(Func<CoordinateCheckSettings, T> value, Func<T, string>? format = null)
        {
            format ??= v => FormattableString.Invariant($"{v}");
            string[] each = [format(value(lm)), format(value(convNet)), format(value(vit))];
            return each.Distinct().Count() == 1 ? $"default {each[0]}" : $"default: LMs {each[0]}, convnet {each[1]}, vit {each[2]}";
        }
        static string List<T>(IReadOnlyList<T> values) => string.Join(" ", values.Select(v => FormattableString.Invariant($"{v}")));

        var model = CliOptions.Checked(
            new Option<string>("--model") { Description = $"The model: an LM ({LanguageModels.Choices}), convnet or vit", DefaultValueFactory = _ => LanguageModels.Default.Name },
            v => Family(v) is not null, $"one of {LanguageModels.Choices}, convnet or vit");
        var output = new Option<string>("--out") { Description = "Output folder for the CSV and plots", DefaultValueFactory = _ => Path.Combine("runs", "coord-check") };
        var steps = CliOptions.Positive("--steps", "Training steps per run", lm.Steps);
        var seeds = CliOptions.Positive("--seeds", "Seeds per cell", lm.Seeds);
        var densities = CliOptions.Checked(
            new Option<double[]?>("--densities") { Description = $"Densities of the density sweep ({Defaults(s => s.Densities, List)})", AllowMultipleArgumentsPerToken = true },
            v => v is { Length: > 0 } && v.All(d => d > 0 && d <= 1), "densities in (0, 1]");
        var width = CliOptions.Checked(
            new Option<int?>("--width") { Description = $"Width of the density sweep ({Defaults(s => s.DensitySweepWidth)})" }, v => v > 0, "a positive integer");
        var widths = CliOptions.Checked(
            new Option<int[]?>("--widths") { Description = $"Widths of the width sweep: multiples of 32 for the GPT, of 128 for the Llama, of 16 for the ViT ({Defaults(s => s.Widths, List)})", AllowMultipleArgumentsPerToken = true },
            v => v is { Length: > 0 } && v.All(w => w > 0), "positive widths");
        var widthDensity = CliOptions.Checked(
            new Option<double?>("--width-density") { Description = $"Density of the width sweep ({Defaults(s => s.WidthSweepDensity)})" },
            d => d > 0 && d <= 1, "a density in (0, 1]");
        var depth = CliOptions.Checked(
            new Option<int?>("--depth") { Description = $"Transformer blocks of an LM or the ViT (default {lm.Depth}); the ConvNet has none" }, v => v > 0, "a positive integer");
        var batch = CliOptions.Checked(
            new Option<int?>("--batch") { Description = $"Sequences or images per step ({Defaults(s => s.Batch)})" }, v => v > 0, "a positive integer");
        var lr = CliOptions.Checked(
            new Option<double?>("--lr") { Description = $"Base learning rate η_base, constant ({Defaults(s => s.Hyperparameters.LearningRate)})" },
            v => v > 0 && double.IsFinite(v.Value), "a positive number");
        var device = CliOptions.Device();
        var data = new Option<string?>("--data")
        {
            Description = $"LMs: train on this text file (or .gz) instead of the bundled corpus. convnet, vit: the folder of the Fashion-MNIST IDX files (default {FashionMnist.DebianDirectory})",
        };
        var corpus = new CorpusArguments();
        var depthDefaults = new DepthCoordinateCheckSettings();
        var sweep = CliOptions.Checked(
            new Option<string>("--sweep") { Description = "width-density (the paper's Fig. 5, default) or depth (LMs only: depth rules × --depths at --width, default 256; --densities default 1)", DefaultValueFactory = _ => "width-density" },
            v => v is "width-density" or "depth", "width-density or depth");
        var depths = CliOptions.Checked(
            new Option<int[]>("--depths") { Description = "Depths of the depth sweep (the example's base depth is 2)", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => depthDefaults.Depths.ToArray() },
            v => v.Length > 0 && v.All(d => d > 0), "positive depths");
        var depthRules = CliOptions.Checked(
            new Option<string[]>("--depth-rules") { Description = $"Depth rules of the depth sweep: {CliOptions.DepthRuleChoices("and/or")}", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => [.. depthDefaults.DepthRules.Select(r => r.Token())] },
            v => v.Length > 0 && v.All(r => DepthRuleNames.TryParse(r, out _)), CliOptions.DepthRuleChoices("and/or"));

        var command = new Command("coord-check",
            "Reproduce the paper's coordinate check (Fig. 5): short runs of an LM or a vision model across SP/μP/SμPar × density and × width; writes coord-check.csv, coord-check-density.png and coord-check-width.png")
        {
            model, output, steps, seeds, densities, width, widths, widthDensity, depth, batch, lr, device, data, sweep, depths, depthRules,
        };
        foreach (var option in corpus.All) command.Options.Add(option);

        // Which options apply where: checked when the command line is parsed, so none is ever silently ignored.
        string FamilyOf(CommandResult r) => Family(CommandModes.Value(r, model) ?? "") switch
        {
            ({ }, _) => "lm",
            (_, VisionModel.ConvNet) => "convnet",
            (_, VisionModel.Vit) => "vit",
            _ => throw new InvalidOperationException("--model did not parse"),
        };
        var family = new ModeAxis("model", [new("lm", "coord-check of an LM"), new("convnet", "coord-check --model convnet", "--model", "convnet"), new("vit", "coord-check --model vit", "--model", "vit")], FamilyOf);
        var kind = new ModeAxis("sweep", [new("width-density", "coord-check --sweep width-density"), new("depth", "coord-check --sweep depth", "--sweep", "depth")], r =>
        {
            string chosen = CommandModes.Value(r, sweep) ?? "width-density";
            if (chosen == "depth" && FamilyOf(r) != "lm") throw new ArgumentException("--sweep depth is for the LMs; convnet and vit have no depth rule.");
            return chosen;
        });
        CommandModes.For(command, family, kind)
            .Only([widths, widthDensity], kind, "width-density")
            .Only(depth, kind, "width-density").Only(depth, family, "lm", "vit")
            .Only([depths, depthRules], kind, "depth")
            .Only(corpus.All, family, "lm");

        command.SetAction(result =>
        {
            var (lmEntry, visionModel) = Family(result.GetRequiredValue(model))!.Value;
            var defaults = visionModel is { } v ? VisionFamily.Defaults(v) : lm;
            var resolved = DeviceSelector.Resolve(result.GetRequiredValue(device));
            var log = result.InvocationConfiguration.Output;
            string folder = result.GetRequiredValue(output);
            if (result.GetRequiredValue(sweep) == "depth")
            {
                var depthSettings = depthDefaults with
                {
                    Model = lmEntry!.Name,
                    Steps = result.GetValue(steps),
                    Seeds = result.GetValue(seeds),
                    Width = result.GetValue(width) ?? depthDefaults.Width,
                    Densities = result.GetValue(densities) is { Length: > 0 } dd ? dd : depthDefaults.Densities, // an absent list option reads as empty
                    Depths = result.GetRequiredValue(depths).Distinct().Order().ToList(),
                    DepthRules = result.GetRequiredValue(depthRules).Select(DepthRuleNames.Parse).Distinct().ToList(),
                    Batch = result.GetValue(batch) ?? depthDefaults.Batch,
                    Hyperparameters = depthDefaults.Hyperparameters with { LearningRate = result.GetValue(lr) ?? depthDefaults.Hyperparameters.LearningRate },
                };
                var depthSource = corpus.Bind(result, new RunConfig { Data = result.GetValue(data) });
                using var depthCorpus = TrainingCorpus.Open(depthSource.Data, depthSource.Tokens);
                return CoordinateCheckJob.RunDepth(depthSettings, folder, resolved, depthCorpus, log);
            }
            var settings = defaults with
            {
                Steps = result.GetValue(steps),
                Seeds = result.GetValue(seeds),
                Densities = result.GetValue(densities) is { Length: > 0 } d ? d : defaults.Densities, // an absent list option reads as empty
                DensitySweepWidth = result.GetValue(width) ?? defaults.DensitySweepWidth,
                Widths = result.GetValue(widths) is { Length: > 0 } w ? w : defaults.Widths,
                WidthSweepDensity = result.GetValue(widthDensity) ?? defaults.WidthSweepDensity,
                Depth = result.GetValue(depth) ?? defaults.Depth,
                Batch = result.GetValue(batch) ?? defaults.Batch,
                Hyperparameters = defaults.Hyperparameters with { LearningRate = result.GetValue(lr) ?? defaults.Hyperparameters.LearningRate },
            };
            if (visionModel is { } vision)
            {
                var (train, test) = VisionJob.LoadData(result.GetValue(data) ?? FashionMnist.DebianDirectory, VisionFamily.TrainLimit, testLimit: 1);
                return CoordinateCheckJob.Run(settings, new VisionFamily(vision, train, test), folder, resolved, log);
            }
            var source = corpus.Bind(result, new RunConfig { Data = result.GetValue(data) });
            using var training = TrainingCorpus.Open(source.Data, source.Tokens);
            return CoordinateCheckJob.Run(settings, new LanguageModelFamily(lmEntry!, training), folder, resolved, log);
        });
        return command;
    }

    /// <summary>The LM or the vision model <paramref name="name"/> stands for (ignoring case), or null when it names neither.</summary>
    private static (LanguageModelEntry? Lm, VisionModel? Vision)? Family(string name)
    {
        if (LanguageModels.Find(name) is { } entry) return (entry, null);
        foreach (var vision in Enum.GetValues<VisionModel>())
        {
            var family = vision == VisionModel.ConvNet ? nameof(FashionConvNet) : nameof(FashionVit);
            if (string.Equals(name, vision.ToString(), StringComparison.OrdinalIgnoreCase) || string.Equals(name, family, StringComparison.OrdinalIgnoreCase))
                return (null, vision);
        }
        return null;
    }
}
