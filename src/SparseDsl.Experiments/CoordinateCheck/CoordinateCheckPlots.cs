using System.Globalization;
using System.Text;
using ScottPlot;

namespace SparseDsl.Experiments.CoordinateCheck;

/// <summary>
/// Draws coordinate-check measurements in the layout of Dey et al. 2024, Fig. 5: one row of panels per block kind, one
/// column per parameterization.
/// </summary>
public static class CoordinateCheckPlots
{
    /// <summary>
    /// Plots mean |activation| against density (log2 axis) with one line per training step, averaged over seeds.
    /// The caller passes rows at a single width.
    /// </summary>
    /// <param name="rows">Measurements at one width.</param>
    /// <param name="pngPath">PNG file to write; its directory is created if needed.</param>
    /// <exception cref="ArgumentException">No rows, or rows at more than one width.</exception>
    public static void PlotVsDensity(IReadOnlyList<CoordinateCheckRow> rows, string pngPath)
    {
        RequireSingle(rows, r => r.Width, "width");
        PlotGrid(rows, pngPath, r => r.Density, "density", FormatDensity,
            $"width {rows[0].Width.ToString(CultureInfo.InvariantCulture)}");
    }

    /// <summary>
    /// Plots mean |activation| against width (log2 axis) with one line per training step, averaged over seeds.
    /// The caller passes rows at a single density.
    /// </summary>
    /// <param name="rows">Measurements at one density.</param>
    /// <param name="pngPath">PNG file to write; its directory is created if needed.</param>
    /// <exception cref="ArgumentException">No rows, or rows at more than one density.</exception>
    public static void PlotVsWidth(IReadOnlyList<CoordinateCheckRow> rows, string pngPath)
    {
        RequireSingle(rows, r => r.Density, "density");
        PlotGrid(rows, pngPath, r => r.Width, "width", w => w.ToString("0.###", CultureInfo.InvariantCulture),
            $"density {FormatDensity(rows[0].Density)}");
    }

    /// <summary>
    /// Plots mean |activation| against depth (log2 axis) with one line per training step, averaged over seeds: one row
    /// of panels per block kind (the residual stream first), one column per depth rule. The caller passes rows at a
    /// single width and density.
    /// </summary>
    /// <exception cref="ArgumentException">No rows, or rows at more than one width or density.</exception>
    public static void PlotVsDepth(IReadOnlyList<DepthCoordinateCheckRow> rows, string pngPath)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0) throw new ArgumentException("No rows to plot.", nameof(rows));
        foreach (var (values, what) in new[] { (rows.Select(r => (double)r.Width), "width"), (rows.Select(r => r.Density), "density") })
            if (values.Distinct().Count() > 1) throw new ArgumentException($"Rows span several values of {what}; filter them to one first.", nameof(rows));
        string[] blockOrder = [LanguageModelFamily.Stream, LanguageModelFamily.Attention, LanguageModelFamily.Mlp];
        // The grid's columns are keyed by a name: here the depth rule's display name, in the order the rows give them.
        var asGrid = rows.OrderBy(r => Array.IndexOf(blockOrder, r.Block) is var i && i < 0 ? int.MaxValue : i)
            .Select(r => new CoordinateCheckRow(DepthRuleNames.TryParse(r.DepthRule, out var rule) ? rule.DisplayName() : r.DepthRule,
                r.Depth, r.Density, r.Seed, r.Step, r.Block, r.MeanAbsActivation))
            .ToList();
        PlotGrid(asGrid, pngPath, r => r.Width, "depth", d => d.ToString("0", CultureInfo.InvariantCulture),
            $"{ParameterizationLabels.DisplayName(rows[0].Parameterization)}, width {rows[0].Width}, density {FormatDensity(rows[0].Density)}");
    }

    // Figure geometry in pixels. Every panel gets the same fixed padding so the data areas line up
    // across the grid; the last column is wider by ColorBarWidth to hold the step colour bar.
    private const int FigureWidth = 1500;
    private const int RowHeight = 400;
    private const float ColorBarWidth = 90;
    private static readonly PixelPadding PanelPadding = new(left: 80, right: 20, bottom: 50, top: 35);

    // Column order of the paper's figure; parameterizations not listed here follow in order of appearance.
    private static readonly string[] KnownParameterizations = [.. ParameterizationNames.All.Select(p => p.Token())];

    // Blue for early steps, red for late ones, as matplotlib's coolwarm, but without its pale grey middle,
    // which would be nearly invisible as a line on a white background.
    private static readonly IColormap StepColormap = new ScottPlot.Colormaps.CustomInterpolated(
    [
        Color.FromHex("#3B4CC0"), Color.FromHex("#6A8BEF"), Color.FromHex("#9DBDFF"),
        Color.FromHex("#F2A385"), Color.FromHex("#DC5D4A"), Color.FromHex("#B40426"),
    ]);

    private static void PlotGrid(
        IReadOnlyList<CoordinateCheckRow> rows, string pngPath, Func<CoordinateCheckRow, double> x,
        string xName, Func<double, string> formatX, string fixedSetting)
    {
        ArgumentException.ThrowIfNullOrEmpty(pngPath);

        // Neither axis can show a non-positive value on a log scale, and NaN/inf (a diverged run) has no place either.
        var usable = rows.Where(r => x(r) > 0 && double.IsFinite(x(r))
                                     && r.MeanAbsActivation > 0 && double.IsFinite(r.MeanAbsActivation)).ToList();
        if (usable.Count == 0)
        {
            throw new ArgumentException("No row has a positive, finite x value and activation to plot.", nameof(rows));
        }

        List<string> blocks = usable.Select(r => r.Block).Distinct().ToList();
        List<string> parameterizations = KnownParameterizations.Where(p => usable.Any(r => r.Parameterization == p))
            .Concat(usable.Select(r => r.Parameterization).Where(p => !KnownParameterizations.Contains(p)).Distinct())
            .ToList();
        int minStep = usable.Min(r => r.Step);
        int maxStep = usable.Max(r => r.Step);
        var stepScale = new StepColorScale(minStep, maxStep);
        double[] xTicks = usable.Select(x).Distinct().Order().ToArray();
        double xMin = Math.Log2(xTicks[0]);
        double xMax = Math.Log2(xTicks[^1]);
        double xPad = Math.Max(0.25, 0.05 * (xMax - xMin));

        var multiplot = new Multiplot();
        multiplot.Subplots.RemoveAt(0); // it starts with one empty plot; panels are added below in grid order
        foreach (string block in blocks)
        {
            // One y range per row of panels, so the parameterizations of a block can be compared by eye.
            double[] rowLogs = usable.Where(r => r.Block == block).Select(r => Math.Log10(r.MeanAbsActivation)).ToArray();
            double yMin = rowLogs.Min();
            double yMax = rowLogs.Max();
            double yPad = Math.Max(0.1, 0.06 * (yMax - yMin));
            Tick[] yTicks = Log10Ticks(yMin - yPad, yMax + yPad);

            for (int col = 0; col < parameterizations.Count; col++)
            {
                string parameterization = parameterizations[col];
                var plot = new Plot();
                foreach (var line in usable
                             .Where(r => r.Block == block && r.Parameterization == parameterization)
                             .GroupBy(r => r.Step)
                             .OrderBy(g => g.Key))
                {
                    // Average over seeds at each x, then draw in x order.
                    var points = line.GroupBy(x).OrderBy(g => g.Key)
                        .Select(g => (X: Math.Log2(g.Key), Y: Math.Log10(g.Average(r => r.MeanAbsActivation))))
                        .ToArray();
                    var scatter = plot.Add.Scatter(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray(),
                        stepScale.ColorOf(line.Key));
                    scatter.LineWidth = 2;
                    scatter.MarkerSize = 6;
                }

                plot.Title($"{ParameterizationLabels.DisplayName(parameterization)} · {block}", size: 16);
                // The setting held fixed goes in the axis label: the figure has no caption of its own.
                plot.XLabel($"{xName} (log₂ scale), {fixedSetting}", size: 13);
                if (col == 0)
                {
                    plot.YLabel("mean |activation|", size: 13);
                }
                plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
                    xTicks.Select(Math.Log2).ToArray(), xTicks.Select(formatX).ToArray());
                plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(yTicks);
                plot.Axes.SetLimits(xMin - xPad, xMax + xPad, yMin - yPad, yMax + yPad);

                bool lastColumn = col == parameterizations.Count - 1;
                if (lastColumn)
                {
                    var colorBar = plot.Add.ColorBar(stepScale, Edge.Right);
                    colorBar.Label = "training step";
                }
                plot.Layout.Fixed(lastColumn
                    ? new PixelPadding(PanelPadding.Left, PanelPadding.Right + ColorBarWidth, PanelPadding.Bottom, PanelPadding.Top)
                    : PanelPadding);

                // Pick fonts that hold μ, ₂ and the superscript digits of the tick labels on whatever machine renders.
                plot.Font.Automatic();
                multiplot.AddPlot(plot);
            }
        }
        multiplot.Layout = new PanelGrid(blocks.Count, parameterizations.Count, ColorBarWidth);

        string fullPath = Path.GetFullPath(pngPath);
        Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
        multiplot.SavePng(fullPath, FigureWidth, RowHeight * blocks.Count);
    }

    /// <summary>
    /// Ticks for a log10 axis between <paramref name="lo"/> and <paramref name="hi"/> (log10 positions): labelled
    /// at whole decades (10ᵏ), unlabelled at 2..9 × 10ᵏ. When that would leave fewer than two labels in view, the
    /// 2× and 5× ticks are labelled too, and failing that every one, so a narrow range can still be read.
    /// </summary>
    private static Tick[] Log10Ticks(double lo, double hi)
    {
        int[][] labelledMantissas = [[1], [1, 2, 5], [1, 2, 3, 4, 5, 6, 7, 8, 9]];
        var positions = new List<(double Position, int Mantissa, int Exponent)>();
        for (int k = (int)Math.Floor(lo); k <= (int)Math.Ceiling(hi); k++)
        {
            for (int m = 1; m <= 9; m++)
            {
                double position = k + Math.Log10(m);
                if (position >= lo && position <= hi)
                {
                    positions.Add((position, m, k));
                }
            }
        }
        int[] labelled = labelledMantissas.FirstOrDefault(set => positions.Count(p => set.Contains(p.Mantissa)) >= 2)
                         ?? labelledMantissas[^1];
        return positions
            .Select(p => !labelled.Contains(p.Mantissa) ? Tick.Minor(p.Position)
                : p.Mantissa == 1 ? Tick.Major(p.Position, "10" + Superscript(p.Exponent))
                : Tick.Major(p.Position, $"{p.Mantissa}·10{Superscript(p.Exponent)}"))
            .ToArray();
    }

    private static string Superscript(int exponent)
    {
        const string digits = "⁰¹²³⁴⁵⁶⁷⁸⁹";
        string text = exponent.ToString(CultureInfo.InvariantCulture);
        var sb = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            sb.Append(c == '-' ? '⁻' : digits[c - '0']);
        }
        return sb.ToString();
    }

    /// <summary>Densities that are powers of two read best as fractions (1, 1/2, 1/4, ...), as in the paper.</summary>
    private static string FormatDensity(double density)
    {
        double exponent = Math.Log2(density);
        if (density < 1 && Math.Abs(exponent - Math.Round(exponent)) < 1e-9)
        {
            return "1/" + Math.Pow(2, -Math.Round(exponent)).ToString(CultureInfo.InvariantCulture);
        }
        return density.ToString("0.###", CultureInfo.InvariantCulture);
    }

    private static void RequireSingle<T>(IReadOnlyList<CoordinateCheckRow> rows, Func<CoordinateCheckRow, T> key, string what)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
        {
            throw new ArgumentException("No rows to plot.", nameof(rows));
        }
        // Averaging over several widths (or densities) would silently mix different models into one line.
        var distinct = rows.Select(key).Distinct().ToList();
        if (distinct.Count > 1)
        {
            throw new ArgumentException(
                $"Rows span {distinct.Count} values of {what} ({string.Join(", ", distinct)}); filter them to one first.",
                nameof(rows));
        }
    }

    /// <summary>Maps a training step to a colour; also the source the colour bar reads its range from.</summary>
    private sealed class StepColorScale(int minStep, int maxStep) : IHasColorAxis
    {
        public IColormap Colormap { get; set; } = StepColormap;

        // A single step still needs a non-empty range for the colour bar to draw.
        public ScottPlot.Range GetRange() =>
            minStep == maxStep ? new ScottPlot.Range(minStep - 0.5, maxStep + 0.5) : new ScottPlot.Range(minStep, maxStep);

        public Color ColorOf(int step) =>
            Colormap.GetColor(minStep == maxStep ? 0.5 : (step - minStep) / (double)(maxStep - minStep));
    }

    /// <summary>A rows × columns grid whose last column is wider by <c>extraLastColumn</c> pixels (room for the colour bar).</summary>
    private sealed class PanelGrid(int rowCount, int columnCount, float extraLastColumn) : IMultiplotLayout
    {
        public PixelRect[] GetSubplotRectangles(SubplotCollection subplots, PixelRect figureRect)
        {
            float columnWidth = (figureRect.Width - extraLastColumn) / columnCount;
            float rowHeight = figureRect.Height / rowCount;
            var rects = new PixelRect[subplots.Count];
            for (int i = 0; i < rects.Length; i++)
            {
                int row = i / columnCount;
                int col = i % columnCount;
                float left = figureRect.Left + col * columnWidth;
                float right = left + columnWidth + (col == columnCount - 1 ? extraLastColumn : 0);
                float top = figureRect.Top + row * rowHeight;
                rects[i] = new PixelRect(left, right, top + rowHeight, top);
            }
            return rects;
        }
    }
}
