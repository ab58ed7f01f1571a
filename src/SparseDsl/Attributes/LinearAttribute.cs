namespace SparseDsl;

/// <summary>
/// A dense linear layer <c>y = x Wᵀ (+ b)</c>. Its role follows from its dimensions: width → width is a hidden
/// layer, a finite fan-in (e.g. input features) makes it input-like, a finite fan-out makes it a readout.
/// Put it on a <c>partial</c> property of type <see cref="ScaledLinear"/>.
/// </summary>
/// <remarks>Dimension expressions: an integer (<c>"784"</c>), <c>"width"</c>, or a product/quotient of
/// <c>width</c> with integers (<c>"4*width"</c>, <c>"width/2"</c>).</remarks>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class LinearAttribute : LayerAttribute<ScaledLinear>
{
    /// <summary>Fan-in as a dimension expression. Default <c>"width"</c>.</summary>
    public string In { get; set; } = AttributeDefaults.Dimension;

    /// <summary>Fan-out as a dimension expression. Default <c>"width"</c>.</summary>
    public string Out { get; set; } = AttributeDefaults.Dimension;

    /// <summary>Whether the layer has a bias (dense, zero-initialised, base learning rate, no weight decay).</summary>
    public bool Bias { get; set; }

    /// <summary>
    /// Initialise the weight to zero instead of N(0, σ²/…) (a common μP practice for query projections: attention
    /// starts uniform). The learning rate and mask are unchanged.
    /// </summary>
    public bool ZeroInit { get; set; }

    /// <inheritdoc />
    public override LayerDescription Describe(LayerContext context) =>
        LinearDescription.Of(ParseDimension(nameof(In), In), ParseDimension(nameof(Out), Out), Bias, ZeroInit, sparsity: null);
}
