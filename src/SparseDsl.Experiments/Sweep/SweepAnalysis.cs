using System.Globalization;
using System.Text;

namespace SparseDsl.Experiments.Sweep;

/// <summary>The best base LR of one (parameterization, sparsity, width) curve.</summary>
/// <param name="Parameterization">The curve's parameterization.</param>
/// <param name="Sparsity">The curve's sparsity.</param>
/// <param name="Width">The curve's width.</param>
/// <param name="Log2LearningRate">log₂ of the best η_base.</param>
/// <param name="Loss">Its validation loss, averaged over seeds.</param>
/// <param name="AtGridEdge">The best LR is the smallest or largest tried: the true optimum may lie outside the grid.</param>
public sealed record SweepOptimum(Parameterization Parameterization, double Sparsity, int Width, int Log2LearningRate, double Loss, bool AtGridEdge)
{
    /// <summary>The curve's depth on a depth axis (0: the sweep's shared depth).</summary>
    public int Depth { get; init; }

    /// <summary>The curve's depth rule.</summary>
    public DepthRule DepthRule { get; init; }
}

/// <summary>Where each curve's optimum lies, and how far it moves across sparsity: the quantity μTransfer is about.</summary>
public static class SweepAnalysis
{
    /// <summary>
    /// Mean validation loss over seeds per (parameterization, sparsity, width, LR); a diverged seed makes the mean +∞,
    /// since an LR that sometimes diverges is not a usable optimum. Seeds are summed in seed order, so the mean is the
    /// same bits whatever order the runs finished in (one machine's parallel runs, or merged shards).
    /// </summary>
    public static IEnumerable<(SweepRun Cell, double Loss)> MeanOverSeeds(IEnumerable<SweepRecord> records) =>
        records.GroupBy(r => r.Run with { Seed = 0 })
            .Select(g => (g.Key, g.Any(r => double.IsPositiveInfinity(r.RankingLoss))
                ? double.PositiveInfinity
                : g.OrderBy(r => r.Run.Seed).Average(r => r.RankingLoss)));

    /// <summary>The best LR of every curve that has at least one finite point.</summary>
    public static List<SweepOptimum> Optima(IEnumerable<SweepRecord> records)
    {
        var optima = new List<SweepOptimum>();
        foreach (var curve in MeanOverSeeds(records).GroupBy(c => (c.Cell.Parameterization, c.Cell.Sparsity, c.Cell.Width, c.Cell.Depth, c.Cell.DepthRule)))
        {
            var points = curve.OrderBy(c => c.Cell.Log2LearningRate).ToList();
            var best = points.MinBy(p => p.Loss);
            if (!double.IsFinite(best.Loss)) continue;
            bool edge = best.Cell.Log2LearningRate == points[0].Cell.Log2LearningRate || best.Cell.Log2LearningRate == points[^1].Cell.Log2LearningRate;
            optima.Add(new SweepOptimum(curve.Key.Parameterization, curve.Key.Sparsity, curve.Key.Width, best.Cell.Log2LearningRate, best.Loss, edge)
            {
                Depth = curve.Key.Depth,
                DepthRule = curve.Key.DepthRule,
            });
        }
        return optima.OrderBy(o => o.Width).ThenBy(o => o.Parameterization).ThenBy(o => o.DepthRule).ThenBy(o => o.Sparsity).ThenBy(o => o.Depth).ToList();
    }

    /// <summary>How many powers of 2 the optimum moves across the sparsities of one (parameterization, width).</summary>
    public static int Drift(IEnumerable<SweepOptimum> optima, Parameterization parameterization, int width)
    {
        var lrs = optima.Where(o => o.Parameterization == parameterization && o.Width == width).Select(o => o.Log2LearningRate).ToList();
        return lrs.Count == 0 ? 0 : lrs.Max() - lrs.Min();
    }

    /// <summary>How many powers of 2 the optimum moves across the depths of one (parameterization, depth rule, sparsity, width).</summary>
    public static int DepthDrift(IEnumerable<SweepOptimum> optima, Parameterization parameterization, DepthRule rule, double sparsity, int width)
    {
        var lrs = optima.Where(o => o.Parameterization == parameterization && o.DepthRule == rule && o.Sparsity == sparsity && o.Width == width)
            .Select(o => o.Log2LearningRate).ToList();
        return lrs.Count == 0 ? 0 : lrs.Max() - lrs.Min();
    }

    /// <summary>
    /// A Markdown table for a sweep with a depth axis: one row per (width, parameterization, depth rule, sparsity), the
    /// best LR per depth, and its drift across depth. A drift whose optima touch the grid's edge is uncertain (marked *).
    /// </summary>
    public static string DepthMarkdown(IReadOnlyList<SweepOptimum> optima)
    {
        var text = new StringBuilder();
        var depths = optima.Select(o => o.Depth).Distinct().Order().ToList();
        text.AppendLine("Best base LR (log₂ η_base) and its validation loss, per depth; drift = max − min across depth, in powers of 2. `*`: at the edge of the LR grid (the true optimum may lie beyond it, so a drift involving one is uncertain and marked `*` too).");
        text.AppendLine();
        text.Append("| width | parameterization | depth rule | density | ").AppendJoin(" | ", depths.Select(d => $"depth {d}")).AppendLine(" | drift |");
        text.Append("| --- | --- | --- | --- | ").AppendJoin(" | ", depths.Select(_ => "---")).AppendLine(" | --- |");
        foreach (var row in optima.GroupBy(o => (o.Width, o.Parameterization, o.DepthRule, o.Sparsity)))
        {
            text.Append(string.Create(CultureInfo.InvariantCulture, $"| {row.Key.Width} | {row.Key.Parameterization.DisplayName()} | {row.Key.DepthRule.DisplayName()} | {1 - row.Key.Sparsity:0.#####} | "));
            text.AppendJoin(" | ", depths.Select(d => row.FirstOrDefault(o => o.Depth == d) is { } o
                ? string.Create(CultureInfo.InvariantCulture, $"{o.Log2LearningRate}{(o.AtGridEdge ? "*" : "")} ({o.Loss:0.000})")
                : "—"));
            string edge = row.Any(o => o.AtGridEdge) ? "*" : "";
            text.AppendLine($" | {DepthDrift(optima, row.Key.Parameterization, row.Key.DepthRule, row.Key.Sparsity, row.Key.Width)}{edge} |");
        }
        return text.ToString();
    }

    /// <summary>A Markdown table of the optima, and the drift of each (parameterization, width).</summary>
    public static string Markdown(IReadOnlyList<SweepOptimum> optima)
    {
        var text = new StringBuilder();
        var sparsities = optima.Select(o => o.Sparsity).Distinct().Order().ToList();
        text.AppendLine("Best base LR (log₂ η_base) and its validation loss, per sparsity; drift = max − min across sparsity, in powers of 2. `*`: at the edge of the LR grid.");
        text.AppendLine();
        text.Append("| width | parameterization | ").AppendJoin(" | ", sparsities.Select(s => $"sparsity {s.ToString("0.#####", CultureInfo.InvariantCulture)}")).AppendLine(" | drift |");
        text.Append("| --- | --- | ").AppendJoin(" | ", sparsities.Select(_ => "---")).AppendLine(" | --- |");
        foreach (var row in optima.GroupBy(o => (o.Width, o.Parameterization)))
        {
            text.Append($"| {row.Key.Width} | {row.Key.Parameterization.DisplayName()} | ");
            text.AppendJoin(" | ", sparsities.Select(s => row.FirstOrDefault(o => o.Sparsity == s) is { } o
                ? string.Create(CultureInfo.InvariantCulture, $"{o.Log2LearningRate}{(o.AtGridEdge ? "*" : "")} ({o.Loss:0.000})")
                : "—"));
            text.AppendLine($" | {Drift(optima, row.Key.Parameterization, row.Key.Width)} |");
        }
        return text.ToString();
    }
}
