using System.CommandLine;
using System.Diagnostics;
using SparseDsl.Examples.Cli;
using SparseDsl.Examples.Gpt;
using SparseDsl.Examples.Tokenization;

namespace SparseDsl.Examples.CoordinateCheck;

/// <summary>The <c>coord-check</c> command: runs the grid, writes CSV and the two PNG plots.</summary>
public static class CoordinateCheckCommand
{
    /// <summary>The <c>coord-check</c> command.</summary>
    public static Command Create()
    {
        var defaults = new CoordinateCheckSettings();
        var model = ModelArguments.ModelOption();
        var output = new Option<string>("--out") { Description = "Output folder for the CSV and plots", DefaultValueFactory = _ => Path.Combine("runs", "coord-check") };
        var steps = CliOptions.Positive("--steps", "Training steps per run", defaults.Steps);
        var seeds = CliOptions.Positive("--seeds", "Seeds per cell", defaults.Seeds);
        var densities = CliOptions.Checked(
            new Option<double[]>("--densities") { Description = "Densities of the density sweep", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => defaults.Densities.ToArray() },
            v => v.Length > 0 && v.All(d => d > 0 && d <= 1), "densities in (0, 1]");
        var width = CliOptions.Positive("--width", "Width of the density sweep", defaults.DensitySweepWidth);
        var widths = CliOptions.Checked(
            new Option<int[]>("--widths") { Description = "Widths of the width sweep, multiples of 32 (of 128 for the Llama)", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => defaults.Widths.ToArray() },
            v => v.Length > 0 && v.All(w => w > 0), "positive widths");
        var widthDensity = CliOptions.Checked(
            new Option<double>("--width-density") { Description = "Density of the width sweep", DefaultValueFactory = _ => defaults.WidthSweepDensity },
            d => d > 0 && d <= 1, "a density in (0, 1]");
        var depth = CliOptions.Positive("--depth", "Transformer blocks", defaults.Depth);
        var device = new Option<string>("--device") { Description = "cpu, cuda or cuda:N", DefaultValueFactory = _ => "cpu" };
        var data = new Option<string?>("--data") { Description = "Train on this text file (or .gz) instead of the bundled corpus" };
        var corpus = new CorpusArguments();

        var command = new Command("coord-check",
            "Reproduce the paper's coordinate check (Fig. 5): short runs of an LM across SP/μP/SμPar × density and × width; writes coord-check.csv, coord-check-density.png and coord-check-width.png")
        {
            model, output, steps, seeds, densities, width, widths, widthDensity, depth, device, data,
        };
        foreach (var option in corpus.All) command.Options.Add(option);
        command.SetAction(result =>
        {
            var settings = defaults with
            {
                Model = LanguageModels.Named(result.GetRequiredValue(model)).Name,
                Steps = result.GetValue(steps),
                Seeds = result.GetValue(seeds),
                Densities = result.GetRequiredValue(densities),
                DensitySweepWidth = result.GetValue(width),
                Widths = result.GetRequiredValue(widths),
                WidthSweepDensity = result.GetValue(widthDensity),
                Depth = result.GetValue(depth),
            };
            var source = corpus.Bind(result, new RunConfig { Data = result.GetValue(data) });
            return Run(settings, result.GetRequiredValue(output), result.GetRequiredValue(device), source.Data, result.InvocationConfiguration.Output, source.Tokens);
        });
        return command;
    }

    /// <summary>Runs the grid and writes the CSV, the plots and a summary; returns the exit code.</summary>
    public static int Run(CoordinateCheckSettings settings, string output, string device, string? data, TextWriter log, string? tokens = null)
    {
        var resolved = DeviceSelector.Resolve(device);
        using var corpus = TrainingCorpus.Open(data, tokens);
        // Before anything is written: the largest cell must fit the machine (cells run one at a time).
        var largest = settings.Cells()
            .Select(c => MemoryCheck.Estimate(LanguageModels.Named(settings.Model), c.Width,
                new ModelOptions { Sparsity = 1 - c.Density, Depth = settings.Depth, Vocabulary = corpus.ModelVocabulary }, settings.Batch, settings.Context))
            .MaxBy(e => e.TotalBytes);
        largest?.EnsureFits(TrainingMemoryEstimate.MachineBytes());
        log.WriteLine($"Coordinate check of {settings.Model}: {settings.RunCount} runs of {settings.Steps} steps on {corpus.Source}, writing to {output}");
        var watch = Stopwatch.StartNew();
        var rows = CoordinateCheckRunner.Run(settings, corpus, resolved, line => log.WriteLine($"{line}  ({watch.Elapsed.TotalSeconds:0}s)"));

        string csv = Path.Combine(output, "coord-check.csv");
        CoordinateCheckReport.WriteCsv(rows, csv);
        CoordinateCheckReport.PlotVsDensity(rows.Where(r => r.Width == settings.DensitySweepWidth).ToList(), Path.Combine(output, "coord-check-density.png"));
        CoordinateCheckReport.PlotVsWidth(rows.Where(r => r.Density == settings.WidthSweepDensity).ToList(), Path.Combine(output, "coord-check-width.png"));
        log.WriteLine($"Wrote {csv} and the plots coord-check-density.png, coord-check-width.png in {watch.Elapsed.TotalSeconds:0}s.");
        foreach (var line in Summary(rows, settings)) log.WriteLine(line);
        return 0;
    }

    /// <summary>Per parameterization and block: the ratio of the largest to the smallest step-averaged mean |output| across densities and across widths.</summary>
    public static IEnumerable<string> Summary(IReadOnlyList<CoordinateCheckRow> rows, CoordinateCheckSettings settings)
    {
        foreach (var group in rows.GroupBy(r => (r.Parameterization, r.Block)))
        {
            double Spread(IEnumerable<CoordinateCheckRow> subset, Func<CoordinateCheckRow, double> key)
            {
                var means = subset.GroupBy(key).Select(g => g.Average(r => r.MeanAbsActivation)).ToList();
                return means.Count == 0 ? double.NaN : means.Max() / means.Min();
            }
            double density = Spread(group.Where(r => r.Width == settings.DensitySweepWidth), r => r.Density);
            double width = Spread(group.Where(r => r.Density == settings.WidthSweepDensity), r => r.Width);
            yield return $"{CoordinateCheckReport.DisplayName(group.Key.Parameterization),-6} {group.Key.Block,-10} max/min across densities {density,8:0.00}   across widths {width,8:0.00}";
        }
    }
}
