namespace SparseDsl;

/// <summary>The three parameterizations of Table 1 in Dey et al. (2024); the same declared model can be built as any.</summary>
public enum Parameterization
{
    /// <summary>Standard parameterization: every weight N(0, σ²), every learning rate η, no multipliers.</summary>
    Standard,

    /// <summary>Maximal update parameterization: hidden init σ²/m_d, hidden Adam LR η/m_d, α_input and α_output/m_d.</summary>
    MuP,

    /// <summary>Sparse μP: μP with hidden weights scaled as if their width were m_d·m_ρ. Equals μP at density 1.</summary>
    SuPar,
}
