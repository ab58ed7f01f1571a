namespace SparseDsl;

/// <summary>A declared layer resolved at one width and sparsity, with the scaling the rules give it.</summary>
/// <param name="Declaration">The attribute's declaration.</param>
/// <param name="InFeatures">Resolved fan-in (vocabulary for an embedding).</param>
/// <param name="OutFeatures">Resolved fan-out.</param>
/// <param name="Sparsity">Effective sparsity after overrides.</param>
/// <param name="WidthMultiplier">m_d of the fan-in (1 when the fan-in is finite).</param>
/// <param name="DensityMultiplier">m_ρ = 1 − sparsity.</param>
/// <param name="Weight">How the weight matrix is initialised, trained and applied.</param>
/// <param name="Bias">How the bias is treated, when the layer has one.</param>
public sealed record LayerPlan(
    LayerDeclaration Declaration,
    int InFeatures,
    int OutFeatures,
    double Sparsity,
    double WidthMultiplier,
    double DensityMultiplier,
    ParameterScaling Weight,
    ParameterScaling? Bias)
{
    /// <summary>The layer's name.</summary>
    public string Name => Declaration.Name;

    /// <summary>Whether the layer carries a static mask.</summary>
    public bool IsMasked => Declaration.Kind == LayerKind.SparseLinear && Sparsity > 0;

    /// <summary>Fraction of weights kept (1 − sparsity).</summary>
    public double Density => 1.0 - Sparsity;
}
