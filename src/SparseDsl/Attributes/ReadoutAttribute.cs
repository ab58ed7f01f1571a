namespace SparseDsl;

/// <summary>
/// The output (unembedding) layer: width → a finite number of outputs (vocabulary, classes). Dense, initialised
/// N(0, σ_base²), trained with the base learning rate; its forward pass is multiplied by <c>α_output / m_d</c>
/// under μP and SμPar. Untied by default (microsoft/mup's MuReadout form); set <see cref="TiedTo"/> for the paper's
/// tied form, <c>α_output · h W_embᵀ / m_d</c>. Put it on a <c>partial</c> property of type <see cref="ScaledLinear"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class ReadoutAttribute : LayerAttribute<ScaledLinear>
{
    /// <summary>Fan-in as a dimension expression. Default <c>"width"</c>.</summary>
    public string In { get; set; } = AttributeDefaults.Dimension;

    /// <summary>Number of outputs: a finite dimension expression such as <c>"256"</c>.</summary>
    public string Out { get; set; } = "";

    /// <summary>Whether the layer has a bias.</summary>
    public bool Bias { get; set; }

    /// <summary>
    /// The name of an <see cref="EmbeddingAttribute"/> property of the same class whose table this readout reuses
    /// (the paper's tied embedding). A tied readout owns no weight: the embedding's is trained once, with the
    /// embedding's init and learning rate, and only the forward multiplier differs.
    /// </summary>
    public string? TiedTo { get; set; }

    /// <summary>Initialise the weight to zero (a common μP practice for the readout). Not allowed with <see cref="TiedTo"/>.</summary>
    public bool ZeroInit { get; set; }

    /// <inheritdoc />
    public override LayerDescription Describe(LayerContext context)
    {
        var fanOut = ParseDimension(nameof(Out), Out);
        if (fanOut.ScalesWithWidth) throw new ArgumentException($"Out = \"{Out}\": a readout's output dimension must be finite (classes, vocabulary)");
        if (TiedTo is not null && (Bias || ZeroInit)) throw new ArgumentException("a tied readout reuses the embedding's table, so it takes no Bias or ZeroInit");
        return LinearDescription.Of(ParseDimension(nameof(In), In), fanOut, Bias, ZeroInit, sparsity: null, ParameterRole.Readout) with { TiedTo = TiedTo };
    }
}
