namespace SparseDsl;

/// <summary>
/// A layer exactly as its attribute declares it. The source generator emits one per DSL property; everything
/// width- or sparsity-dependent is derived from it at construction time by <see cref="ModelPlan"/>.
/// </summary>
/// <param name="Name">State-dict name of the layer (the property name in camelCase).</param>
/// <param name="Kind">The attribute that declared it.</param>
/// <param name="In">Fan-in (for an embedding: the vocabulary).</param>
/// <param name="Out">Fan-out (for an embedding: the embedding dimension).</param>
/// <param name="Sparsity">Declared sparsity (0 for dense layers).</param>
/// <param name="Bias">Whether the layer has a bias.</param>
public sealed record LayerDeclaration(string Name, LayerKind Kind, Dimension In, Dimension Out, double Sparsity, bool Bias);
