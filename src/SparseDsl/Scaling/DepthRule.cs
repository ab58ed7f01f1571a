namespace SparseDsl;

/// <summary>
/// How hyperparameters transfer across depth (docs/depth.md): the residual-branch multiplier <c>m_L^(−α)</c> and the
/// in-branch learning-rate and AdamW ε factors of CompleteP's general-α form, with <c>m_L = L / L_base</c>. A run-time
/// choice beside <see cref="Parameterization"/>; <see cref="None"/> keeps today's SμPar exactly.
/// </summary>
public enum DepthRule
{
    /// <summary>No depth rule: branches add to the stream unscaled, no depth factor anywhere, one AdamW ε for every group.</summary>
    None,

    /// <summary>Depth-μP (Yang et al. 2023, "Tensor Programs VI"; Bordelon et al. 2023): α = ½, branches × m_L^(−½).</summary>
    DepthMuP,

    /// <summary>CompleteP (Dey et al. 2025, arXiv 2505.01618): α = 1, branches × 1/m_L.</summary>
    CompleteP,
}
