using System.Diagnostics;
using SparseDsl.Data;
using SparseDsl.Experiments.Gpt;
using SparseDsl.Experiments.Tokenization;
using SparseDsl.Experiments.Training;
using static TorchSharp.torch;

namespace SparseDsl.Experiments.CoordinateCheck;

/// <summary>
/// A coordinate check from start to files: checks that the grid fits the machine, trains it
/// (<see cref="CoordinateCheckRunner"/>), and writes the CSV, the plots and the summary into the output folder. The
/// width × density check (the paper's Fig. 5) works for any <see cref="ICoordinateCheckFamily"/>, a user's own model
/// included; the depth check for the LMs of <see cref="LanguageModels"/>.
/// </summary>
public static class CoordinateCheckJob
{
    /// <summary>Runs the grid of <paramref name="family"/> and writes the CSV and the plots; returns the exit code.</summary>
    public static int Run(CoordinateCheckSettings settings, ICoordinateCheckFamily family, string output, Device device, TextWriter log)
    {
        // Before anything is written: the largest cell must fit the machine (cells run one at a time), then the family's own checks.
        MemoryCheck.EnsureFits(settings.Cells().Select(c => family.MemoryEstimate(settings, c.Width, c.Density)));
        family.Validate(settings);
        log.WriteLine($"Coordinate check of {family.Name}: {settings.RunCount} runs of {settings.Steps} steps on {family.Source}, writing to {output}");
        var watch = Stopwatch.StartNew();
        var rows = CoordinateCheckRunner.Run(settings, family, device, line => log.WriteLine($"{line}  ({watch.Elapsed.TotalSeconds:0}s)"));

        string csv = Path.Combine(output, "coord-check.csv");
        CoordinateCheckCsv.WriteCsv(rows, csv);
        CoordinateCheckPlots.PlotVsDensity(rows.Where(r => r.Width == settings.DensitySweepWidth).ToList(), Path.Combine(output, "coord-check-density.png"));
        CoordinateCheckPlots.PlotVsWidth(rows.Where(r => r.Density == settings.WidthSweepDensity).ToList(), Path.Combine(output, "coord-check-width.png"));
        log.WriteLine($"Wrote {csv} and the plots coord-check-density.png, coord-check-width.png in {watch.Elapsed.TotalSeconds:0}s.");
        foreach (var line in Summary(rows, settings)) log.WriteLine(line);
        return 0;
    }

    /// <summary>File names of the depth check inside the output folder.</summary>
    public const string DepthCsvFile = "coord-check-depth.csv", DepthSummaryFile = "summary.md";

    /// <summary>The PNG of the depth check at <paramref name="density"/>.</summary>
    public static string DepthPlotFile(double density) => density == 1 ? "coord-check-depth.png"
        : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"coord-check-depth-density-{density:0.####}.png");

    /// <summary>Runs the depth grid on <paramref name="corpus"/> and writes the CSV, a plot per density and the summary; returns the exit code.</summary>
    public static int RunDepth(DepthCoordinateCheckSettings settings, string output, Device device, TrainingCorpus corpus, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(corpus);
        var entry = LanguageModels.Named(settings.Model);
        // Before anything is written: every depth must build (the Llama's widths), and the deepest, densest cell must fit
        // (with the corpus's vocabulary, as in the runs).
        ModelOptions Options(double density, int depth) => settings.Options(DepthRule.None, density, depth) with { Vocabulary = corpus.ModelVocabulary };
        foreach (int d in settings.Depths) entry.Plan(settings.Width, Options(1, d));
        MemoryCheck.Estimate(entry, settings.Width, Options(settings.Densities.Max(), settings.Depths.Max()), settings.Batch, settings.Context)
            .EnsureFits(TrainingMemoryEstimate.MachineBytes());
        var runs = settings.Runs();
        log.WriteLine($"Depth coordinate check of {settings.Model} ({settings.Parameterization.DisplayName()}, width {settings.Width}): {runs.Count} runs of {settings.Steps} steps on {corpus.Source}, writing to {output}");
        var watch = Stopwatch.StartNew();
        var rows = CoordinateCheckRunner.RunDepth(settings, corpus, device, line => log.WriteLine($"{line}  ({watch.Elapsed.TotalSeconds:0}s)"));

        string csv = Path.Combine(output, DepthCsvFile);
        DepthCoordinateCheckRow.WriteCsv(rows, csv);
        foreach (double density in settings.Densities)
            CoordinateCheckPlots.PlotVsDepth(rows.Where(r => r.Density == density).ToList(), Path.Combine(output, DepthPlotFile(density)));
        string summary = DepthCoordinateCheckSummary.Markdown(rows);
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(summary);
        AtomicFile.Write(Path.Combine(output, DepthSummaryFile), stream => stream.Write(bytes));
        log.WriteLine($"Wrote {csv}, the plots and {DepthSummaryFile} in {watch.Elapsed.TotalSeconds:0}s.");
        log.Write(summary);
        return ExitCodes.Success;
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
            yield return $"{ParameterizationLabels.DisplayName(group.Key.Parameterization),-6} {group.Key.Block,-10} max/min across densities {density,8:0.00}   across widths {width,8:0.00}";
        }
    }
}
