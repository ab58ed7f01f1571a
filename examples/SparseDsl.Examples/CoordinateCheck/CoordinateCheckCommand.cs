using System.Diagnostics;
using static TorchSharp.torch;

namespace SparseDsl.Examples.CoordinateCheck;

/// <summary>The <c>coord-check</c> command: runs the grid, writes CSV and the two PNG plots.</summary>
public static class CoordinateCheckCommand
{
    /// <summary>Usage text.</summary>
    public const string Usage = """
        coord-check: the paper's coordinate check (Dey et al. 2024, Fig. 5) at CPU scale. For SP, μP and SμPar, trains
        the GPT LM for a few steps at each density (and, separately, at each width) and records the mean |output| of
        every attention and MLP block per step, averaged over seeds. Writes coord-check.csv, coord-check-density.png and
        coord-check-width.png to --out.

        Options:
          --out DIR              output folder (default runs/coord-check)
          --steps N              training steps per run (default 10)
          --seeds N              seeds per cell (default 3)
          --densities LIST       densities of the density sweep (default 1,0.5,0.25,0.125,0.0625)
          --width N              width of the density sweep (default 256)
          --widths LIST          widths of the width sweep, multiples of 32 (default 64,128,256,512)
          --width-density X      density of the width sweep (default 0.0625)
          --depth N              transformer blocks (default 2)
          --device D             cpu | cuda | cuda:N (default cpu)
          --data FILE            train on FILE instead of the bundled corpus
          --help                 this text
        """;

    /// <summary>Parses <paramref name="args"/> and runs; returns the exit code.</summary>
    public static int Run(IEnumerable<string> args)
    {
        var settings = new CoordinateCheckSettings();
        string output = Path.Combine("runs", "coord-check");
        string device = "cpu";
        string? data = null;
        using var e = args.GetEnumerator();
        while (e.MoveNext())
        {
            string name = e.Current;
            if (name is "--help" or "-h") { Console.WriteLine(Usage); return 0; }
            string value = OptionParsing.Value(name, e);
            switch (name)
            {
                case "--out": output = value; break;
                case "--steps": settings = settings with { Steps = OptionParsing.Positive(name, value) }; break;
                case "--seeds": settings = settings with { Seeds = OptionParsing.Positive(name, value) }; break;
                case "--densities": settings = settings with { Densities = OptionParsing.List(name, value, Density) }; break;
                case "--width": settings = settings with { DensitySweepWidth = OptionParsing.Positive(name, value) }; break;
                case "--widths": settings = settings with { Widths = OptionParsing.List(name, value, OptionParsing.Positive) }; break;
                case "--width-density": settings = settings with { WidthSweepDensity = Density(name, value) }; break;
                case "--depth": settings = settings with { Depth = OptionParsing.Positive(name, value) }; break;
                case "--device": device = value; break;
                case "--data": data = value; break;
                default: throw new ArgumentException($"Unknown option '{name}'. See coord-check --help.");
            }
        }

        var resolved = DeviceSelector.Resolve(device);
        var corpus = data is null ? Corpus.Bundled() : Corpus.FromFile(data);
        Console.WriteLine($"Coordinate check: {settings.RunCount} runs of {settings.Steps} steps on {corpus.Source}, writing to {output}");
        var watch = Stopwatch.StartNew();
        var rows = CoordinateCheckRunner.Run(settings, corpus.Train, resolved, line => Console.WriteLine($"{line}  ({watch.Elapsed.TotalSeconds:0}s)"));

        string csv = Path.Combine(output, "coord-check.csv");
        CoordinateCheckReport.WriteCsv(rows, csv);
        CoordinateCheckReport.PlotVsDensity(rows.Where(r => r.Width == settings.DensitySweepWidth).ToList(), Path.Combine(output, "coord-check-density.png"));
        CoordinateCheckReport.PlotVsWidth(rows.Where(r => r.Density == settings.WidthSweepDensity).ToList(), Path.Combine(output, "coord-check-width.png"));
        Console.WriteLine($"Wrote {csv} and the plots coord-check-density.png, coord-check-width.png in {watch.Elapsed.TotalSeconds:0}s.");
        foreach (var line in Summary(rows, settings)) Console.WriteLine(line);
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
            yield return $"{group.Key.Parameterization,-6} {group.Key.Block,-10} max/min across densities {density,8:0.00}   across widths {width,8:0.00}";
        }
    }

    private static double Density(string name, string value) =>
        double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double x) && x > 0 && x <= 1
            ? x : throw new ArgumentException($"{name} expects densities in (0, 1], got '{value}'.");
}
