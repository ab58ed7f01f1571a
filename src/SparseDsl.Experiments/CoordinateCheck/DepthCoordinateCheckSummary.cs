using System.Globalization;
using System.Text;

namespace SparseDsl.Experiments.CoordinateCheck;

/// <summary>
/// How a depth coordinate check reads in numbers: for each depth rule, density and block kind, the slope of
/// log₂ mean|output| against log₂ depth (seed-averaged) at the first step (init) and averaged over the later steps,
/// and the largest-to-smallest ratio across depths. Flat in depth is a slope near 0; growth like √L is ½.
/// </summary>
public static class DepthCoordinateCheckSummary
{
    /// <summary>One line of the summary.</summary>
    /// <param name="DepthRule">The depth rule's display name.</param>
    /// <param name="Density">The layers' density.</param>
    /// <param name="Block">Which activation: the block output or the residual stream.</param>
    /// <param name="InitSlope">Slope at step 1 (the forward pass before any update).</param>
    /// <param name="TrainedSlope">Mean slope over steps 2…last.</param>
    /// <param name="Spread">Max/min across depths of the value averaged (geometrically) over steps 2…last.</param>
    public sealed record Line(string DepthRule, double Density, string Block, double InitSlope, double TrainedSlope, double Spread);

    /// <summary>Every (rule, density, block) line, in the rows' order.</summary>
    public static IReadOnlyList<Line> Lines(IReadOnlyList<DepthCoordinateCheckRow> rows) =>
        rows.GroupBy(r => (r.DepthRule, r.Density, r.Block)).Select(g =>
        {
            var byStep = g.GroupBy(r => r.Step).OrderBy(s => s.Key).ToList();
            double SlopeAt(IEnumerable<DepthCoordinateCheckRow> step) => Slope(step.GroupBy(r => r.Depth).Select(d => (Math.Log2(d.Key), Math.Log2(d.Average(r => r.MeanAbsActivation)))).ToList());
            var later = byStep.Skip(1).ToList();
            double trained = later.Count == 0 ? double.NaN : later.Average(SlopeAt);
            var perDepth = g.Where(r => r.Step > 1).GroupBy(r => r.Depth)
                .Select(d => Math.Exp(d.GroupBy(r => r.Step).Average(s => Math.Log(s.Average(r => r.MeanAbsActivation))))).ToList();
            double spread = perDepth.Count == 0 ? double.NaN : perDepth.Max() / perDepth.Min();
            return new Line(g.Key.DepthRule, g.Key.Density, g.Key.Block, SlopeAt(byStep[0]), trained, spread);
        }).ToList();

    /// <summary>The lines as a Markdown table.</summary>
    public static string Markdown(IReadOnlyList<DepthCoordinateCheckRow> rows)
    {
        var text = new StringBuilder();
        text.AppendLine("Slope of log₂ mean|output| against log₂ depth (0 = flat in depth; ½ = grows as √L), at step 1 (before any update) and averaged over the later steps, and the max/min ratio across depths over the later steps. Branch outputs (attention, mlp) are measured before their multiplier.");
        text.AppendLine();
        text.AppendLine("| depth rule | density | block | slope at init | slope after updates | max/min across depths |");
        text.AppendLine("| --- | --- | --- | --- | --- | --- |");
        foreach (var l in Lines(rows))
        {
            string rule = DepthRuleNames.TryParse(l.DepthRule, out var r) ? r.DisplayName() : l.DepthRule;
            text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| {rule} | {l.Density:0.####} | {l.Block} | {l.InitSlope:+0.00;-0.00} | {l.TrainedSlope:+0.00;-0.00} | {l.Spread:0.00} |"));
        }
        return text.ToString();
    }

    // Least-squares slope of y on x.
    private static double Slope(IReadOnlyList<(double X, double Y)> points)
    {
        if (points.Count < 2) return double.NaN;
        double mx = points.Average(p => p.X), my = points.Average(p => p.Y);
        double sxx = points.Sum(p => (p.X - mx) * (p.X - mx)), sxy = points.Sum(p => (p.X - mx) * (p.Y - my));
        return sxy / sxx;
    }
}
