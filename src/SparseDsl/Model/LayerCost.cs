namespace SparseDsl;

/// <summary>One layer's matmul work, as <see cref="ModelCost.Layers"/> counts it.</summary>
/// <param name="Name">The layer's full name (<c>blocks.0.mlp.up</c>).</param>
/// <param name="MultiplyAccumulates">Multiply–accumulates per token of one forward pass.</param>
public sealed record LayerCost(string Name, double MultiplyAccumulates);
