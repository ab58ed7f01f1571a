namespace SparseDsl.Generators.Specs;

/// <summary>What a DSL property declares: a layer of some kind, or a child block (single or repeated).</summary>
internal enum MemberKind
{
    /// <summary>A property with a layer attribute (one deriving from SparseDsl.LayerAttribute&lt;TLayer&gt;).</summary>
    Layer,

    /// <summary>One instance of a [Block] class.</summary>
    Block,

    /// <summary>A ModuleList of a [Block] class, repeated Depth times.</summary>
    Repeat,

    /// <summary>An expert bank: a router (a layer kind) and copies of a [Block] class (SparseDsl.ExpertBank&lt;TBlock&gt;).</summary>
    Experts,
}

/// <summary>
/// One DSL property, as the generator needs it: names, the attribute to rebuild, the layer type to construct, and
/// what its kind's description read from the attribute (dimensions, sparsity) for the analyzers and SAT.
/// </summary>
internal sealed record LayerSpec(string PropertyName, string StateName, string Modifiers, MemberKind Member, string PropertyType)
{
    /// <summary>The attribute's short name as users write it (<c>SparseLinear</c>); <c>Block</c>/<c>Repeat</c> for children.</summary>
    public string Kind { get; init; } = "";

    /// <summary>The attribute rebuilt as C#: <c>new global::SparseDsl.LinearAttribute { In = "784" }</c> (only what the user wrote).</summary>
    public string Attribute { get; init; } = "";

    /// <summary>The dimension the layer reads, when its kind has one.</summary>
    public DimensionSpec? In { get; init; }

    /// <summary>The dimension the layer writes, when its kind has one.</summary>
    public DimensionSpec? Out { get; init; }

    /// <summary>The declared sparsity, when the kind takes one.</summary>
    public double? Sparsity { get; init; }

    /// <summary>Inputs per fan-in channel (a convolution's kernel size over its groups).</summary>
    public int FanInFactor { get; init; } = 1;

    /// <summary>A projection SAT can slice by rows and columns (<c>[Linear]</c>, <c>[SparseLinear]</c>).</summary>
    public bool IsProjection { get; init; }

    /// <summary>Called as <c>layer.call(x)</c> on one tensor, so chained calls can be checked against In/Out.</summary>
    public bool Chains { get; init; }

    /// <summary>The property name of a layer of the same class this one is built from (a tied readout's embedding).</summary>
    public string? Reference { get; init; }

    /// <summary>The state name of <see cref="Reference"/>, once resolved.</summary>
    public string? ReferenceState { get; init; }

    /// <summary>For a child block, a repeated block or an expert bank: the block class, fully qualified with global::.</summary>
    public string? BlockType { get; init; }

    /// <summary>For a repeated block: the declared depth.</summary>
    public int Depth { get; init; }

    /// <summary>For a repeated block: the declared base depth; 0 when not given (the declared depth).</summary>
    public int BaseDepth { get; init; }

    /// <summary>For an expert bank: the declared number of experts.</summary>
    public int Experts { get; init; }

    /// <summary>Whether this member holds blocks (a child, a repeated stack or an expert bank) rather than being a layer.</summary>
    public bool IsChild => Member is MemberKind.Block or MemberKind.Repeat or MemberKind.Experts;
}
