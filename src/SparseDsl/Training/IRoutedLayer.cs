using static TorchSharp.torch;

namespace SparseDsl;

/// <summary>
/// A layer that routes tokens (an <see cref="ExpertBank{TBlock}"/>): while training it hands the trainer an auxiliary
/// loss to add before <c>backward()</c>, and keeps its routing statistics for the metrics.
/// </summary>
public interface IRoutedLayer
{
    /// <summary>The bank's full name (<c>blocks.0.mlp</c>).</summary>
    string BankName { get; }

    /// <summary>The router whose logits decide the routing (a coordinate check records them).</summary>
    ScaledRouter Router { get; }

    /// <summary>
    /// The weighted auxiliary loss (<c>c_b · L_b + c_z · L_z</c>) of the last forward pass in training mode with gradients
    /// on, and forgets it; null when there is none. The tensor belongs to no dispose scope: the caller disposes it (after
    /// <c>backward()</c>, when it joins the gradient).
    /// </summary>
    Tensor? TakeAuxiliaryLoss();

    /// <summary>The routing statistics gathered since the last call (every training forward pass), and resets them; null when there were none.</summary>
    RoutingStatistics? TakeStatistics();
}

/// <summary>What one bank's router did over some forward passes.</summary>
/// <param name="BankName">The bank's full name.</param>
/// <param name="SlotsPerExpert">(token, expert) slots each expert received: the expert load histogram.</param>
/// <param name="BalanceLoss">Mean of the load-balancing loss <c>L_b</c> over the passes (unweighted; 1 is perfect balance).</param>
/// <param name="ZLoss">Mean of the router z-loss <c>L_z</c> over the passes (unweighted).</param>
/// <param name="Passes">How many forward passes were gathered.</param>
public sealed record RoutingStatistics(string BankName, long[] SlotsPerExpert, double BalanceLoss, double ZLoss, int Passes)
{
    /// <summary>The fraction of slots each expert received (uniform: 1/E each).</summary>
    public double[] LoadFractions
    {
        get
        {
            long total = SlotsPerExpert.Sum();
            return SlotsPerExpert.Select(s => total == 0 ? 0 : (double)s / total).ToArray();
        }
    }

    /// <summary>Adds <paramref name="other"/>'s passes (same bank) to these.</summary>
    public RoutingStatistics Merge(RoutingStatistics other)
    {
        ArgumentNullException.ThrowIfNull(other);
        int passes = Passes + other.Passes;
        return new(BankName, SlotsPerExpert.Zip(other.SlotsPerExpert, (a, b) => a + b).ToArray(),
            (BalanceLoss * Passes + other.BalanceLoss * other.Passes) / passes, (ZLoss * Passes + other.ZLoss * other.Passes) / passes, passes);
    }
}
