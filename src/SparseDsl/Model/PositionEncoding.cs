namespace SparseDsl;

/// <summary>How attention knows where tokens are.</summary>
public enum PositionEncoding
{
    /// <summary>ALiBi biases on the logits (Press et al. 2022; the SμPar paper's choice).</summary>
    Alibi,

    /// <summary>Rotary embeddings of queries and keys (Su et al. 2021; Llama's choice), base <see cref="AttentionAttribute.RopeTheta"/>.</summary>
    Rope,

    /// <summary>No positions in attention (the model adds its own, e.g. a learned <c>[Parameter]</c> table, or none).</summary>
    None,
}
