namespace SparseDsl;

/// <summary>
/// A layer exactly as its attribute declares it. The source generator emits one per DSL property; everything
/// width- or sparsity-dependent is derived from it at construction time by <see cref="ModelPlan"/>.
/// </summary>
/// <param name="Name">State-dict name of the layer (the property name in snake_case), relative to its block.</param>
/// <param name="Kind">The attribute that declared it.</param>
/// <param name="In">Fan-in (for an embedding: the vocabulary; for a norm or attention: its dimension).</param>
/// <param name="Out">Fan-out (for an embedding: the embedding dimension; for a norm or attention: its dimension).</param>
/// <param name="Sparsity">Declared sparsity (0 for dense layers).</param>
/// <param name="Bias">Whether the layer has a bias.</param>
public sealed record LayerDeclaration(string Name, LayerKind Kind, Dimension In, Dimension Out, double Sparsity, bool Bias)
    : MemberDeclaration(Name)
{
    /// <summary>Initialise the weight to zero (<see cref="LinearAttribute.ZeroInit"/> and friends).</summary>
    public bool ZeroInit { get; init; }

    /// <summary>For a tied readout: the name of the embedding in the same block whose table it reuses.</summary>
    public string? TiedTo { get; init; }

    /// <summary>For a norm: LayerNorm or RMSNorm.</summary>
    public NormKind Norm { get; init; }

    /// <summary>For attention: the head dimension.</summary>
    public int HeadDim { get; init; }

    /// <summary>For attention: whether ALiBi position biases are added.</summary>
    public bool Alibi { get; init; }
}
