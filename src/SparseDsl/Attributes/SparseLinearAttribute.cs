namespace SparseDsl;

/// <summary>
/// A hidden linear layer with a static, random, unstructured sparsity mask: the forward pass uses <c>W ⊙ M</c>.
/// Under SμPar its init variance is <c>σ²/(m_d·m_ρ)</c> and its Adam learning rate <c>η/(m_d·m_ρ)</c>, with
/// <c>m_ρ = 1 − Sparsity</c> (the base model is dense). Put it on a <c>partial</c> property of type
/// <see cref="ScaledLinear"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class SparseLinearAttribute : LayerAttribute<ScaledLinear>
{
    /// <summary>Fraction of weights masked to zero, in [0, 1). Can be overridden at construction time.</summary>
    public double Sparsity { get; set; }

    /// <summary>Fan-in as a dimension expression. Default <c>"width"</c>.</summary>
    public string In { get; set; } = AttributeDefaults.Dimension;

    /// <summary>Fan-out as a dimension expression. Default <c>"width"</c>.</summary>
    public string Out { get; set; } = AttributeDefaults.Dimension;

    /// <summary>Whether the layer has a (dense) bias.</summary>
    public bool Bias { get; set; }

    /// <summary>
    /// Initialise the weight to zero instead of N(0, σ²/…) (a common μP practice for query projections: attention
    /// starts uniform). The learning rate and mask are unchanged.
    /// </summary>
    public bool ZeroInit { get; set; }

    /// <inheritdoc />
    public override LayerDescription Describe(LayerContext context) =>
        LinearDescription.Of(ParseDimension(nameof(In), In), ParseDimension(nameof(Out), Out), Bias, ZeroInit, Sparsity);
}
