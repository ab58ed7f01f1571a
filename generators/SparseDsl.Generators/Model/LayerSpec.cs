namespace SparseDsl.Generators.Model;

/// <summary>The member kinds: the runtime's SparseDsl.LayerKind plus child blocks (the generator does not reference the runtime).</summary>
internal enum LayerKindSpec
{
    Embedding,
    Linear,
    SparseLinear,
    Readout,
    Norm,
    Attention,

    /// <summary>One instance of a [Block] class.</summary>
    Block,

    /// <summary>A ModuleList of a [Block] class, repeated Depth times.</summary>
    Repeat,
}

/// <summary>One DSL property, as the generator needs it: names, kind, dimensions, sparsity, bias and per-kind options.</summary>
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
    /// <summary>Initialise the weight to zero.</summary>
    public bool ZeroInit { get; init; }

    /// <summary>For a tied readout: the state name of the embedding it reuses.</summary>
    public string? TiedTo { get; init; }

    /// <summary>For a norm: SparseDsl.NormKind's member name.</summary>
    public string NormKind { get; init; } = "LayerNorm";

    /// <summary>For attention: the head dimension.</summary>
    public int HeadDim { get; init; }

    /// <summary>For attention: ALiBi biases.</summary>
    public bool Alibi { get; init; }

    /// <summary>For a child block or a repeated block: the block class, fully qualified with global::.</summary>
    public string? BlockType { get; init; }

    /// <summary>For a repeated block: the declared depth.</summary>
    public int Depth { get; init; }

    /// <summary>Whether this member is a child block (single or repeated) rather than a layer.</summary>
    public bool IsChild => Kind is LayerKindSpec.Block or LayerKindSpec.Repeat;

    /// <summary>The property's type as emitted code names it.</summary>
    public string PropertyType => Kind switch
    {
        LayerKindSpec.Embedding => "global::SparseDsl.ScaledEmbedding",
        LayerKindSpec.Norm => "global::SparseDsl.ScaledNorm",
        LayerKindSpec.Attention => "global::SparseDsl.ScaledAttention",
        LayerKindSpec.Block => BlockType!,
        LayerKindSpec.Repeat => $"global::TorchSharp.Modules.ModuleList<{BlockType}>",
        _ => "global::SparseDsl.ScaledLinear",
    };
}
