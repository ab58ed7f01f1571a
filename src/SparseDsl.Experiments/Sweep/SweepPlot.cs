using ScottPlot;

namespace SparseDsl.Experiments.Sweep;

/// <summary>The paper's LR-sweep figure: validation loss against log₂ η_base, one curve per sparsity, one panel per parameterization.</summary>
public static class SweepPlot
{
    private const int PanelWidth = 520, Height = 440;

    /// <summary>The loss axis's label for a sweep of text, one token per byte.</summary>
    public const string BytesLossLabel = "validation loss (nats/byte)";

    /// <summary>
    /// For a sweep with a depth axis: one PNG for <paramref name="width"/> and <paramref name="sparsity"/>, one panel per
    /// depth rule, one curve per depth (the optimum circled); diverged points are left out.
    /// </summary>
    public static void WriteDepth(IReadOnlyList<SweepRecord> records, int width, double sparsity, string path, string yLabel = BytesLossLabel)
    {
        var cells = SweepAnalysis.MeanOverSeeds(records.Where(r => r.Run.Width == width && r.Run.Sparsity == sparsity)).ToList();
        var rules = cells.Select(c => c.Cell.DepthRule).Distinct().Order().ToList();
        var depths = cells.Select(c => c.Cell.Depth).Distinct().Order().ToList();
        var finite = cells.Where(c => double.IsFinite(c.Loss)).Select(c => c.Loss).ToList();
        if (finite.Count == 0) return;
        double yMin = finite.Min() - 0.05, yMax = Math.Min(finite.Max(), finite.Min() + 1.5) + 0.05;
        double xMin = cells.Min(c => c.Cell.Log2LearningRate) - 0.5, xMax = cells.Max(c => c.Cell.Log2LearningRate) + 0.5;
        var multiplot = new Multiplot();
        multiplot.AddPlots(rules.Count);
        for (int p = 0; p < rules.Count; p++)
        {
            var plot = multiplot.GetPlot(p);
            for (int d = 0; d < depths.Count; d++)
            {
                var points = cells.Where(c => c.Cell.DepthRule == rules[p] && c.Cell.Depth == depths[d] && double.IsFinite(c.Loss))
                    .OrderBy(c => c.Cell.Log2LearningRate).ToList();
                if (points.Count == 0) continue;
                var scatter = plot.Add.Scatter(points.Select(c => (double)c.Cell.Log2LearningRate).ToArray(), points.Select(c => Math.Min(c.Loss, yMax)).ToArray());
                scatter.Color = Colors.Category10[d % 10];
                scatter.LineWidth = 2;
                scatter.MarkerSize = 6;
                scatter.LegendText = $"depth {depths[d]}";
                var best = points.MinBy(c => c.Loss);
                var marker = plot.Add.Marker(best.Cell.Log2LearningRate, best.Loss, MarkerShape.OpenCircle, 14);
                marker.Color = scatter.Color;
            }
            plot.Title($"{rules[p].DisplayName()}, width {width}, density {1 - sparsity:0.###}");
            plot.XLabel("log₂ η_base");
            plot.YLabel(yLabel);
            plot.Axes.SetLimits(xMin, xMax, yMin, yMax);
            plot.ShowLegend(Alignment.UpperRight);
            plot.Font.Automatic();
        }
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Columns();
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null) Directory.CreateDirectory(folder);
        multiplot.SavePng(path, PanelWidth * rules.Count, Height);
    }

    /// <summary>Writes one PNG for <paramref name="width"/>; diverged points are left out of the curves.</summary>
    /// <param name="records">The runs; those of other widths are ignored.</param>
    /// <param name="width">The width to plot.</param>
    /// <param name="path">The PNG's path.</param>
    /// <param name="yLabel">The loss axis's label (default: the LM's validation loss).</param>
    /// <param name="title">Each panel's title (default: the parameterization and the width).</param>
    public static void Write(IReadOnlyList<SweepRecord> records, int width, string path, string yLabel = BytesLossLabel,
        Func<Parameterization, string>? title = null)
    {
        var cells = SweepAnalysis.MeanOverSeeds(records.Where(r => r.Run.Width == width)).ToList();
        var parameterizations = cells.Select(c => c.Cell.Parameterization).Distinct().Order().ToList();
        var sparsities = cells.Select(c => c.Cell.Sparsity).Distinct().Order().ToList();
        var finite = cells.Where(c => double.IsFinite(c.Loss)).Select(c => c.Loss).ToList();
        if (finite.Count == 0) return;
        // Losses far above the best (the blown-up right side of each curve) would flatten the interesting part.
        double yMin = finite.Min() - 0.05, yMax = Math.Min(finite.Max(), finite.Min() + 1.5) + 0.05;
        double xMin = cells.Min(c => c.Cell.Log2LearningRate) - 0.5, xMax = cells.Max(c => c.Cell.Log2LearningRate) + 0.5;

        var multiplot = new Multiplot();
        multiplot.AddPlots(parameterizations.Count);
        for (int p = 0; p < parameterizations.Count; p++)
        {
            var plot = multiplot.GetPlot(p);
            for (int s = 0; s < sparsities.Count; s++)
            {
                var points = cells.Where(c => c.Cell.Parameterization == parameterizations[p] && c.Cell.Sparsity == sparsities[s] && double.IsFinite(c.Loss))
                    .OrderBy(c => c.Cell.Log2LearningRate).ToList();
                if (points.Count == 0) continue;
                var scatter = plot.Add.Scatter(points.Select(c => (double)c.Cell.Log2LearningRate).ToArray(), points.Select(c => Math.Min(c.Loss, yMax)).ToArray());
                scatter.Color = Colors.Category10[s % 10];
                scatter.LineWidth = 2;
                scatter.MarkerSize = 6;
                scatter.LegendText = $"density 1/{1 / (1 - sparsities[s]):0.##}";
                var best = points.MinBy(c => c.Loss);
                var marker = plot.Add.Marker(best.Cell.Log2LearningRate, best.Loss, MarkerShape.OpenCircle, 14);
                marker.Color = scatter.Color;
            }
            plot.Title(title?.Invoke(parameterizations[p]) ?? $"{parameterizations[p].DisplayName()}, width {width}");
            plot.XLabel("log₂ η_base");
            plot.YLabel(yLabel);
            plot.Axes.SetLimits(xMin, xMax, yMin, yMax);
            plot.ShowLegend(Alignment.UpperRight);
        }
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Columns();
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null) Directory.CreateDirectory(folder);
        multiplot.SavePng(path, PanelWidth * parameterizations.Count, Height);
    }
}
