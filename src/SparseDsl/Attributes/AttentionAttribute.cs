namespace SparseDsl;

/// <summary>
/// Multi-head causal self-attention over projected queries, keys and values, on a <c>partial</c> property of type
/// <see cref="ScaledAttention"/>. It has no weights of its own (declare the Q/K/V/output projections as layers);
/// what it scales is the attention logits: <c>qᵀk / d_head</c> under μP and SμPar, <c>qᵀk / √d_head</c> under SP
/// (Table 1). The head dimension stays fixed as the width grows, so the number of heads is <c>Dim / HeadDim</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class AttentionAttribute : Attribute
{
    /// <summary>Model dimension of q, k and v as a dimension expression. Default <c>"width"</c>.</summary>
    public string Dim { get; set; } = "width";

    /// <summary>Head dimension d_head (the paper: 64). <see cref="Dim"/> must be divisible by it at every width built.</summary>
    public int HeadDim { get; set; } = 64;

    /// <summary>Add ALiBi position biases (Press et al. 2022; the paper's position encoding). Default true.</summary>
    public bool Alibi { get; set; } = true;
}
