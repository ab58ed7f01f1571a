namespace SparseDsl;

/// <summary>
/// A mixture-of-experts bank: <see cref="Count"/> copies of a <see cref="BlockAttribute"/> class (the experts) and a
/// router that sends each token to its <see cref="TopK"/> most probable experts, on a <c>partial</c> property of type
/// <see cref="ExpertBank{TBlock}"/>. Each expert is built like any block, under <c>{property}.experts.{i}.</c>, so its
/// layers get their own seeded masks and the hidden rules with the fan-in and density of one expert. The router
/// (<c>{property}.router.weight</c>, <c>[Count, In]</c>) is output-like: N(0, σ²), base learning rate, forward ×
/// 1/m_d under μP and SμPar (<see cref="ParameterRole.Router"/>). Routing is dropless (no capacity factor); the
/// top-k probabilities are renormalised to sum to 1. Rules and sources: docs/moe.md.
/// </summary>
/// <example>
/// <code>
/// [Experts(Count = 8, TopK = 2)]
/// public partial ExpertBank&lt;ExpertMlp&gt; Mlp { get; }
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class ExpertsAttribute : LayerAttribute<ScaledRouter>
{
    /// <summary>Number of experts E (at least 2). Required.</summary>
    public int Count { get; set; }

    /// <summary>Experts each token is sent to, k (1 ≤ k ≤ <see cref="Count"/>). Default 2.</summary>
    public int TopK { get; set; } = AttributeDefaults.ExpertsTopK;

    /// <summary>The dimension of the tokens the router reads (and the experts take and give back). Default <c>"width"</c>.</summary>
    public string In { get; set; } = AttributeDefaults.Dimension;

    /// <summary>
    /// Coefficient of the Switch-style load-balancing loss <c>E · Σ_e f_e · P_e</c> (1 when perfectly balanced), added to
    /// the training loss by the trainer. Default 0.3, chosen from measurements (docs/moe.md, "Choosing the balance
    /// coefficient"); 0 turns it off. <see cref="ModelOptions.BalanceLoss"/> replaces it for one run.
    /// </summary>
    public double BalanceLoss { get; set; } = AttributeDefaults.BalanceLoss;

    /// <summary>Coefficient of the router z-loss <c>mean (logsumexp z)²</c>, added to the training loss. Default 0 (off).</summary>
    public double ZLoss { get; set; }

    /// <inheritdoc />
    public override LayerDescription Describe(LayerContext context)
    {
        if (Count < 2) throw new ArgumentException($"Count = {Count}: a mixture needs at least 2 experts");
        if (TopK < 1 || TopK > Count) throw new ArgumentException($"TopK = {TopK}: each token goes to between 1 and Count = {Count} experts");
        if (!(BalanceLoss >= 0) || !double.IsFinite(BalanceLoss)) throw new ArgumentException($"BalanceLoss = {BalanceLoss}: the coefficient must be finite and non-negative");
        if (!(ZLoss >= 0) || !double.IsFinite(ZLoss)) throw new ArgumentException($"ZLoss = {ZLoss}: the coefficient must be finite and non-negative");
        var input = ParseDimension(nameof(In), In);
        var experts = Dimension.Fixed(Count);
        var router = new ParameterDeclaration("weight", [experts, input], ParameterInit.Normal) { Role = ParameterRole.Router, FanIn = input };
        return new(input, experts, [router])
        {
            Experts = new ExpertsDescription("", Count, TopK, BalanceLoss, ZLoss),
        };
    }
}
