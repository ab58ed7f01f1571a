namespace SparseDsl;

/// <summary>How one parameter tensor is initialised, trained and applied.</summary>
/// <param name="Role">The row of Table 1 that applies.</param>
/// <param name="InitStd">Standard deviation of the normal init (0 for biases; gains are set to 1 instead).</param>
/// <param name="LearningRateMultiplier">Factor on the base learning rate for this parameter's optimizer group (width,
/// density and, in a residual branch under a depth rule, depth: <see cref="DepthLearningRateMultiplier"/>).</param>
/// <param name="ForwardMultiplier">Factor on the layer's output in the forward pass (1 when none).</param>
/// <param name="WeightDecay">Whether decoupled weight decay applies (not to biases and norm gains).</param>
public readonly record struct ParameterScaling(
    ParameterRole Role,
    double InitStd,
    double LearningRateMultiplier,
    double ForwardMultiplier,
    bool WeightDecay)
{
    /// <summary>Whether the tensor lives in a residual branch (the body of a <see cref="RepeatAttribute"/> stack).</summary>
    public bool InBranch { get; init; }

    /// <summary>The depth part of <see cref="LearningRateMultiplier"/>: <c>m_L^(α−1)</c> in a branch under a depth rule, else 1.</summary>
    public double DepthLearningRateMultiplier { get; init; } = 1.0;

    /// <summary>Factor on AdamW's base ε for this tensor's group (1 without a depth rule; see <see cref="ScalingRules.EpsilonMultiplier"/>).</summary>
    public double EpsilonMultiplier { get; init; } = 1.0;

    /// <summary>
    /// Factor on the base weight decay λ for this tensor's group when <see cref="WeightDecay"/> applies: 1 without a
    /// depth rule; <c>m_d·m_ρ</c> for hidden weights under one (width-independent decay, no depth factor).
    /// </summary>
    public double WeightDecayMultiplier { get; init; } = 1.0;
}
