using System.Globalization;
using System.Text;

namespace SparseDsl.Experiments.SparseBenchmark;

/// <summary>The benchmark's cells as Markdown: the conditions, then one row per width and sparsity.</summary>
public static class SparseBenchmarkReport
{
    /// <summary>The report of <paramref name="cells"/>, measured under <paramref name="settings"/>.</summary>
    public static string ToMarkdown(SparseBenchmarkSettings settings, IReadOnlyList<SparseBenchmarkCell> cells)
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        var first = cells[0].Dense;
        string recomputed = settings.Recompute switch
        {
            RecomputedArms.Sparse => "; the sparse arm recomputes its blocks' activations in the backward pass (--recompute sparse), the dense arm keeps them.",
            RecomputedArms.Both => "; both arms recompute their blocks' activations in the backward pass (--recompute both).",
            _ => ".",
        };
        text.AppendLine(c, $"{(settings.Storage == WeightStorage.Sparse ? "Sparse storage forced on every masked layer" : "Auto storage (the dispatch rule per layer)")} vs masked dense, {settings.Model}, depth {settings.Depth}, batch {settings.Batch} × context {settings.Context}, "
            + $"{settings.Steps} timed steps after {settings.Warmup} warm-up (best of {settings.Repeats}), SAT off, each arm in its own process{recomputed}");
        text.AppendLine(c, $"Machine: {first.Machine}. Load average (1, 5, 15 min) before the first arm {first.Load[0]}, after the last {cells[^1].Sparse.Load[1]}.");
        text.AppendLine();
        text.AppendLine("| width | sparsity | sparse layers | tokens/s dense | tokens/s sparse | speed-up (wall) | speed-up (CPU time) | matmul-only ideal | peak RSS dense | peak RSS sparse | RSS ratio | checkpoint dense | checkpoint sparse | last-loss difference |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var cell in cells)
        {
            text.AppendLine(c, $"| {cell.Width} | {cell.Sparsity * 100:0.###}% | {cell.Sparse.SparseLayers}/{cell.Sparse.MaskedLayers} | {cell.Dense.TokensPerSecond:N0} | {cell.Sparse.TokensPerSecond:N0} | "
                + $"{cell.Speedup:0.00}× | {cell.CpuSpeedup:0.00}× | {cell.Sparse.MatmulIdeal:0.00}× | {SparseBenchmarkRunner.Gib(cell.Dense.PeakRssBytes)} | {SparseBenchmarkRunner.Gib(cell.Sparse.PeakRssBytes)} | "
                + $"{cell.MemoryRatio:0.00}× | {SparseBenchmarkRunner.Gib(cell.Dense.CheckpointBytes)} | {SparseBenchmarkRunner.Gib(cell.Sparse.CheckpointBytes)} | {cell.LossDifference:0.0e+0} |");
        }
        text.AppendLine();
        text.AppendLine("Speed-up: sparse over dense training tokens per second. Matmul-only ideal: the model's dense MACs per token over those left when every "
            + "sparse-stored layer does only its kept products (ModelCost), the bound a kernel with no overhead would reach; attention's own products, "
            + "the readout and element-wise work do not shrink. Peak RSS: the arm process's VmHWM, runtime and libtorch included. Checkpoint: model "
            + "and AdamW state as `train` writes it. Last-loss difference: |sparse − dense| / dense after the last step (float32 summation order only).");
        return text.ToString();
    }
}
