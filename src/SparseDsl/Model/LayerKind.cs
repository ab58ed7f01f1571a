namespace SparseDsl;

/// <summary>Which DSL attribute declared a layer.</summary>
public enum LayerKind
{
    /// <summary><see cref="EmbeddingAttribute"/>.</summary>
    Embedding,

    /// <summary><see cref="LinearAttribute"/> (dense).</summary>
    Linear,

    /// <summary><see cref="SparseLinearAttribute"/> (static random mask).</summary>
    SparseLinear,

    /// <summary><see cref="ReadoutAttribute"/>.</summary>
    Readout,

    /// <summary><see cref="NormAttribute"/>.</summary>
    Norm,

    /// <summary><see cref="AttentionAttribute"/> (no weights; scales the logits).</summary>
    Attention,
}
