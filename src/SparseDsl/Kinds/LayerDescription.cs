namespace SparseDsl;

/// <summary>
/// What a layer attribute declares, before any width is chosen: the dimensions it reads and writes, its parameters,
/// and whether it takes a sparsity. <see cref="ModelPlan"/> resolves it at a width into a <see cref="LayerPlan"/>.
/// </summary>
/// <param name="In">The dimension the layer reads (its fan-in; for an embedding, the vocabulary).</param>
/// <param name="Out">The dimension the layer writes.</param>
/// <param name="Parameters">Its tensors, in state-dict order.</param>
public sealed record LayerDescription(Dimension In, Dimension Out, IReadOnlyList<ParameterDeclaration> Parameters)
{
    /// <summary>The declared sparsity of the <see cref="ParameterDeclaration.Masked"/> tensors; null when the kind takes none (sparsity overrides skip it).</summary>
    public double? Sparsity { get; init; }

    /// <summary>For a tied readout: the name of the embedding in the same block whose table its <c>weight</c> is.</summary>
    public string? TiedTo { get; init; }

    /// <summary>For attention: heads, head dimension, logit scale and positions, as Describe shows them.</summary>
    public AttentionDescription? Attention { get; init; }

    /// <summary>For an expert bank's router: the bank's count, top-k and loss coefficients, as Describe shows them.</summary>
    public ExpertsDescription? Experts { get; init; }
}
