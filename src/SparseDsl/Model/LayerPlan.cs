namespace SparseDsl;

/// <summary>A declared layer resolved at one width and sparsity, with the scaling the rules give it.</summary>
/// <param name="Name">Full state-dict name (<c>blocks.0.mlp.up</c>).</param>
/// <param name="Declaration">The attribute's declaration.</param>
/// <param name="InFeatures">Resolved fan-in (vocabulary for an embedding; the dimension for a norm or attention).</param>
/// <param name="OutFeatures">Resolved fan-out.</param>
/// <param name="Sparsity">Effective sparsity after overrides.</param>
/// <param name="WidthMultiplier">m_d of the fan-in (1 when the fan-in is finite).</param>
/// <param name="DensityMultiplier">m_ρ = 1 − sparsity.</param>
/// <param name="Weight">How the weight (or norm gain) is initialised, trained and applied; null for attention, which has none.</param>
/// <param name="Bias">How the bias is treated, when the layer has one.</param>
public sealed record LayerPlan(
    string Name,
    LayerDeclaration Declaration,
    int InFeatures,
    int OutFeatures,
    double Sparsity,
    double WidthMultiplier,
    double DensityMultiplier,
    ParameterScaling? Weight,
    ParameterScaling? Bias)
{
    /// <summary>For a tied readout: the full name of the embedding whose table it uses.</summary>
    public string? TiedTo { get; init; }

    /// <summary>For attention: the factor on <c>qᵀk</c> (from <see cref="ScalingRules.AttentionScale"/>).</summary>
    public double AttentionScale { get; init; }

    /// <summary>For attention: the number of heads (<c>dimension / head dimension</c>).</summary>
    public int Heads { get; init; }

    /// <summary>Whether the layer carries a static mask.</summary>
    public bool IsMasked => Declaration.Kind == LayerKind.SparseLinear && Sparsity > 0;

    /// <summary>Fraction of weights kept (1 − sparsity).</summary>
    public double Density => 1.0 - Sparsity;

    /// <summary>The weight scaling; throws for attention, which has no weight.</summary>
    public ParameterScaling RequireWeight() =>
        Weight ?? throw new InvalidOperationException($"Layer '{Name}' ({Declaration.Kind}) has no weight.");
}
