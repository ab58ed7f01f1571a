using System.Globalization;
using System.Text;
using SparseDsl.Experiments.Gpt;
using SparseDsl.Experiments.SatBenchmark;

namespace SparseDsl.Experiments.SparseBenchmark;

/// <summary>
/// <c>sparse-benchmark --kernels</c>: every distinct sparse layer shape of the LM at each width, timed on the dense masked
/// path and with the sparse kernels at each density (<see cref="SparseKernelTiming"/>): the crossover
/// <see cref="SparseDispatch"/>'s rule is read from.
/// </summary>
public static class KernelGrid
{
    /// <summary>Times the grid and returns it as Markdown, logging each row as it is measured.</summary>
    public static string Run(string model, IReadOnlyList<int> widths, IReadOnlyList<double> sparsities, int tokens, TextWriter log, CancellationToken cancellation)
    {
        var entry = LanguageModels.Named(model);
        var c = CultureInfo.InvariantCulture;
        var shapes = widths.SelectMany(w => entry.Plan(w, new ModelOptions { Sparsity = sparsities[0] }).Layers
                .Where(l => l.IsMasked && l.Attribute is SparseLinearAttribute).Select(l => (l.InFeatures, l.OutFeatures)))
            .Distinct().OrderBy(s => (long)s.InFeatures * s.OutFeatures).ThenBy(s => s.InFeatures).ToList();
        string load = LoadAverage.Read();
        var text = new StringBuilder();
        text.AppendLine(c, $"Kernel crossover: one linear layer's forward, input gradient and weight gradient, dense masked vs sparse kernels, {tokens} tokens, {entry.Name}'s sparse layer shapes.");
        text.AppendLine(c, $"Machine: {Machine.Describe()}. Load average before: {load}.");
        text.AppendLine();
        text.AppendLine("| in × out | weights | " + string.Join(" | ", sparsities.Select(s => $"{s * 100:0.###}% sparse")) + " | auto dispatch |");
        text.AppendLine("|---|---|" + string.Concat(sparsities.Select(_ => "---|")) + "---|");
        foreach (var (inFeatures, outFeatures) in shapes)
        {
            var cells = new List<string>();
            foreach (double sparsity in sparsities)
            {
                cancellation.ThrowIfCancellationRequested();
                var t = SparseKernelTiming.Measure(inFeatures, outFeatures, 1 - sparsity, tokens);
                log.WriteLine($"  {inFeatures}×{outFeatures} at {sparsity * 100:0.###}% sparse: dense {t.DenseMilliseconds:0.00} ms, sparse {t.SparseMilliseconds:0.00} ms, {t.Speedup:0.00}×; "
                    + $"forward alone: dense {t.DenseForwardMilliseconds:0.00} ms, sparse kernels {t.SparseForwardMilliseconds:0.00} ms, libtorch COO {t.CooForwardMilliseconds:0.00} ms");
                cells.Add($"{t.Speedup:0.00}× (COO fwd {t.DenseForwardMilliseconds / t.CooForwardMilliseconds:0.00}×)");
            }
            long weights = (long)inFeatures * outFeatures;
            var sparseAt = sparsities.Where(s => 1 - s <= SparseDispatch.MaxDensity && weights >= SparseDispatch.MinWeights).Select(s => $"{s * 100:0.###}%").ToList();
            text.AppendLine(c, $"| {inFeatures} × {outFeatures} | {weights:N0} | {string.Join(" | ", cells)} | {(sparseAt.Count == 0 ? "dense" : "sparse at " + string.Join(", ", sparseAt))} |");
        }
        text.AppendLine();
        text.AppendLine(c, $"Each cell: dense masked time over sparse-kernel time for forward + both gradients (above 1 the sparse kernels win); in brackets, dense masked "
            + $"forward time over libtorch's own COO sparse × dense forward (TorchSharp 0.107 has no CSR constructor). Load average after: {LoadAverage.Read()}.");
        return text.ToString();
    }
}
