namespace SparseDsl;

/// <summary>An expert bank of a <see cref="ModelPlan"/>, as Describe shows it beside its router's row.</summary>
/// <param name="Name">The bank's full name (<c>blocks.0.mlp</c>).</param>
/// <param name="Count">Number of experts E.</param>
/// <param name="TopK">Experts per token k.</param>
/// <param name="BalanceLoss">Coefficient of the load-balancing loss.</param>
/// <param name="ZLoss">Coefficient of the router z-loss.</param>
public sealed record ExpertsDescription(string Name, int Count, int TopK, double BalanceLoss, double ZLoss)
{
    /// <summary>The fraction of the experts' weights each token uses, k/E.</summary>
    public double ActiveFraction => (double)TopK / Count;
}
