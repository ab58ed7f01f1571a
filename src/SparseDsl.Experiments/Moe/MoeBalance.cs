using System.Diagnostics;
using System.Globalization;
using System.Text;
using SparseDsl.Data;
using SparseDsl.Experiments.Training;
using static TorchSharp.torch;

namespace SparseDsl.Experiments.Moe;

/// <summary>How evenly one expert bank spread its routing slots over the last steps of a run.</summary>
/// <param name="Bank">The bank's name (<c>blocks.0.mlp</c>).</param>
/// <param name="Load">Each expert's share of the routing slots, averaged over the window (uniform: 1/E each).</param>
/// <param name="BalanceLoss">The unweighted balance loss <c>L_b = E · Σ f_e P_e</c> averaged over the window (1 when balanced).</param>
public sealed record BankBalance(string Bank, double[] Load, double BalanceLoss)
{
    /// <summary>The least-loaded expert's share divided by the uniform share 1/E: 1 when balanced, 0 when an expert starves.</summary>
    public double MinShare => Load.Min() * Load.Length;

    /// <summary>The most-loaded expert's share divided by the uniform share 1/E: 1 when balanced, E when one expert takes everything.</summary>
    public double MaxShare => Load.Max() * Load.Length;
}

/// <summary>One seeded <see cref="MoeLm"/> run at one balance coefficient and router multiplier, and how it routed.</summary>
/// <param name="Coefficient">The balance-loss coefficient c_b the run trained with.</param>
/// <param name="RouterAlpha">α_router, the base multiplier on the router logits.</param>
/// <param name="Seed">The seed of weights, masks and batches.</param>
/// <param name="Banks">Each bank's routing over the window, in model order.</param>
/// <param name="ValidationLoss">The held-out loss after the last step (nats per byte with the bundled corpus).</param>
/// <param name="Elapsed">Wall time of the run, evaluation included.</param>
public sealed record MoeBalanceRun(double Coefficient, double RouterAlpha, long Seed, IReadOnlyList<BankBalance> Banks, double ValidationLoss, TimeSpan Elapsed);

/// <summary>
/// Measures the expert load of the example <see cref="MoeLm"/> across balance-loss coefficients and router multipliers:
/// what <c>moe-balance</c> prints (docs/moe.md, "Choosing the balance coefficient") and what <c>MoeBalanceTests</c>
/// checks at the default coefficient. Each run is the seeded <c>train --model moe</c> run of a <see cref="Training.RunConfig"/>
/// (same model, data, schedule, clipping and decay), without checkpoints or metric files.
/// </summary>
public static class MoeBalance
{
    /// <summary>Trains <paramref name="config"/>'s MoeLm on the CPU and reads each bank's routing over the last <paramref name="window"/> steps.</summary>
    /// <param name="config">The run; its <see cref="RunConfig.BalanceLoss"/> (null: the declared coefficient) and <see cref="RunConfig.RouterAlpha"/> are the point measured.</param>
    /// <param name="window">How many of the last steps the load and balance loss are averaged over (1 … steps).</param>
    /// <param name="data">The corpus to train on (the bundled one by default).</param>
    /// <param name="cancellation">Stops between steps.</param>
    /// <exception cref="ArgumentException">The config is not a MoeLm run, or the window is not within the run.</exception>
    public static MoeBalanceRun Measure(RunConfig config, int window, string? data = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.Model != nameof(MoeLm)) throw new ArgumentException($"The balance is measured on {nameof(MoeLm)}, not {config.Model}.", nameof(config));
        if (window < 1 || window > config.Steps) throw new ArgumentException($"The window must be 1 … {config.Steps} steps (the run), not {window}.", nameof(window));
        var clock = Stopwatch.StartNew();
        using var corpus = Tokenization.TrainingCorpus.Open(data, null);
        using var model = new MoeLm(config.Width, CPU, config.Seed, config.ModelOptions);
        using var trainer = new MoeLm.Trainer(model, config.TrainerSettings, corpus.Batches(config.Batch, config.Context, config.Seed));
        var load = new Dictionary<string, double[]>(StringComparer.Ordinal);
        var balance = new Dictionary<string, double>(StringComparer.Ordinal);
        for (long step = 1; step <= config.Steps; step++)
        {
            cancellation.ThrowIfCancellationRequested();
            var metrics = trainer.TrainStep();
            if (step <= config.Steps - window) continue;
            foreach (var bank in metrics.Routing)
            {
                var fractions = bank.LoadFractions;
                var sum = load.TryGetValue(bank.BankName, out var s) ? s : load[bank.BankName] = new double[fractions.Length];
                for (int e = 0; e < fractions.Length; e++) sum[e] += fractions[e] / window;
                balance[bank.BankName] = balance.GetValueOrDefault(bank.BankName) + bank.BalanceLoss / window;
            }
        }
        double validation = trainer.Evaluate();
        var banks = load.Select(b => new BankBalance(b.Key, b.Value, balance[b.Key])).ToList();
        return new MoeBalanceRun(model.Plan.Layers.First(l => l.Experts is not null).Experts!.BalanceLoss, config.RouterAlpha, config.Seed, banks, validation, clock.Elapsed);
    }

    /// <summary>The runs as a Markdown table, one row each: per bank its balance loss, least and most loaded expert (× the uniform share) and loads; then the validation loss and time.</summary>
    public static string ToMarkdown(IReadOnlyList<MoeBalanceRun> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var c = CultureInfo.InvariantCulture;
        var banks = Banks(runs);
        var sb = new StringBuilder();
        sb.Append("| c_b | α_router | seed |");
        foreach (var bank in banks) sb.Append(c, $" {bank} L_b | {bank} min / max share | {bank} load per expert |");
        sb.AppendLine(" validation loss | time |");
        sb.Append("| --- | --- | --- |");
        foreach (var _ in banks) sb.Append(" --- | --- | --- |");
        sb.AppendLine(" --- | --- |");
        foreach (var run in runs)
        {
            sb.Append(c, $"| {run.Coefficient:0.###} | {run.RouterAlpha:0.###} | {run.Seed} |");
            foreach (var bank in run.Banks)
                sb.Append(c, $" {bank.BalanceLoss:0.000} | {bank.MinShare:0.00} / {bank.MaxShare:0.00} | {string.Join(" ", bank.Load.Select(f => f.ToString("0.000", c)))} |");
            sb.AppendLine(c, $" {run.ValidationLoss:0.000} | {run.Elapsed.TotalSeconds:0} s |");
        }
        return sb.ToString();
    }

    /// <summary>
    /// The runs summarised over seeds, one row per coefficient and router multiplier: per bank the mean balance loss and
    /// the worst least- and most-loaded expert of any seed; the validation loss's mean and range.
    /// </summary>
    public static string SummaryMarkdown(IReadOnlyList<MoeBalanceRun> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var c = CultureInfo.InvariantCulture;
        var banks = Banks(runs);
        var sb = new StringBuilder();
        sb.Append("| c_b | α_router | seeds |");
        foreach (var bank in banks) sb.Append(c, $" {bank} mean L_b | {bank} worst min / max share |");
        sb.AppendLine(" validation loss, mean (range) |");
        sb.Append("| --- | --- | --- |");
        foreach (var _ in banks) sb.Append(" --- | --- |");
        sb.AppendLine(" --- |");
        foreach (var group in runs.GroupBy(r => (r.RouterAlpha, r.Coefficient)))
        {
            var of = group.ToList();
            sb.Append(c, $"| {group.Key.Coefficient:0.###} | {group.Key.RouterAlpha:0.###} | {of.Count} |");
            for (int b = 0; b < banks.Count; b++)
            {
                var bank = of.Select(r => r.Banks[b]).ToList();
                sb.Append(c, $" {bank.Average(x => x.BalanceLoss):0.000} | {bank.Min(x => x.MinShare):0.00} / {bank.Max(x => x.MaxShare):0.00} |");
            }
            sb.AppendLine(c, $" {of.Average(r => r.ValidationLoss):0.000} ({of.Min(r => r.ValidationLoss):0.000} … {of.Max(r => r.ValidationLoss):0.000}) |");
        }
        return sb.ToString();
    }

    private static List<string> Banks(IReadOnlyList<MoeBalanceRun> runs) => runs.Count == 0 ? [] : runs[0].Banks.Select(b => b.Bank).ToList();
}
