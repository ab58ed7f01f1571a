namespace SparseDsl.Generators.Model;

/// <summary>The layer kinds, mirroring SparseDsl.LayerKind (the generator does not reference the runtime).</summary>
internal enum LayerKindSpec
{
    Embedding,
    Linear,
    SparseLinear,
    Readout,
}

/// <summary>One DSL property, as the generator needs it: names, kind, dimensions, sparsity, bias.</summary>
internal sealed record LayerSpec(
    string PropertyName,
    string StateName,
    string Modifiers,
    LayerKindSpec Kind,
    DimensionSpec In,
    DimensionSpec Out,
    double Sparsity,
    bool Bias)
{
    public string LayerTypeName => Kind == LayerKindSpec.Embedding ? "ScaledEmbedding" : "ScaledLinear";
}
