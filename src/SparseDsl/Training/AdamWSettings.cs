namespace SparseDsl;

/// <summary>AdamW settings at the base model; per-group values follow from each parameter's scaling.</summary>
public sealed record AdamWSettings
{
    /// <summary>Base learning rate η_base; each group gets η_base × its multiplier. Default: the paper's 1.62e-2.</summary>
    public double LearningRate { get; init; } = BaseHyperparameters.Paper.LearningRate;

    /// <summary>β₁. Default 0.9.</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>β₂. Default 0.95 (the SμPar reference code).</summary>
    public double Beta2 { get; init; } = 0.95;

    /// <summary>ε at the base model. Default 1e-8. Without a depth rule every group uses it; under one each group gets ε × its
    /// <see cref="ParameterScaling.EpsilonMultiplier"/> (m_d⁻¹·m_L^(−α) in a residual branch, m_d⁻¹ outside).</summary>
    public double Epsilon { get; init; } = 1e-8;

    /// <summary>Decoupled weight decay for weights (never for biases or norm gains). Default 0.1.</summary>
    public double WeightDecay { get; init; } = 0.1;

    /// <summary>
    /// PyTorch/TorchSharp AdamW decays by <c>lr_group · wd</c>, so hidden weights' decay shrinks with
    /// 1/(m_d·m_ρ) along with their LR (the paper's and reference code's behaviour, the default). When true, each
    /// group's decay is divided by the width×density part of its LR multiplier so that <c>lr_group · wd_group = η_base · wd</c>
    /// (times the depth LR factor) for all widths and densities. Under a depth rule decay is width-independent anyway
    /// (docs/depth.md, row R18).
    /// </summary>
    public bool WidthIndependentWeightDecay { get; init; }
}
