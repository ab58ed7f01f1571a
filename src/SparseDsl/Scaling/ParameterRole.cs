namespace SparseDsl;

/// <summary>How a parameter is scaled: which row of Table 1 applies to it.</summary>
public enum ParameterRole
{
    /// <summary>Input-like weights (embeddings, layers reading a finite dimension): σ², η, forward × α_input.</summary>
    Embedding,

    /// <summary>Hidden weights (fan-in and fan-out scale with width): σ²/(m_d·m_ρ), η/(m_d·m_ρ) under SμPar.</summary>
    Hidden,

    /// <summary>Output-like weights (fan-out is finite): σ², η, forward × α_output/m_d.</summary>
    Readout,

    /// <summary>Norm gains: initialised to 1, η, no weight decay.</summary>
    Norm,

    /// <summary>Biases: initialised to 0, η, no weight decay.</summary>
    Bias,

    /// <summary>
    /// Vector-like free tensors (at most one dimension scales with width: class tokens, position tables, layer-scale
    /// vectors, gates): N(0, σ²) or their declared constant, η, no forward multiplier (μP's infshape rule).
    /// </summary>
    Vector,

    /// <summary>
    /// An expert bank's router (width → number of experts, a finite fan-out): μP's readout case, N(0, σ²), η, forward ×
    /// α_router/m_d under μP and SμPar (docs/moe.md). Dense: a router takes no mask.
    /// </summary>
    Router,

    /// <summary>Tensors of a member marked <see cref="UnscaledAttribute"/>: SP rules, trained at the base learning rate, left as built.</summary>
    Unscaled,
}
