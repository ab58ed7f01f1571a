namespace SparseDsl;

/// <summary>One optimizer group: parameters sharing a learning rate, weight decay and AdamW ε.</summary>
/// <param name="LearningRate">The group's learning rate (η_base × multiplier).</param>
/// <param name="LearningRateMultiplier">The multiplier from <see cref="ScalingRules"/> (width, density and, under a depth rule, depth).</param>
/// <param name="WeightDecay">The group's decoupled weight decay.</param>
/// <param name="Parameters">The members, with their state-dict names.</param>
public sealed record ParameterGroup(double LearningRate, double LearningRateMultiplier, double WeightDecay, IReadOnlyList<ScaledParameter> Parameters)
{
    /// <summary>The group's AdamW ε: the base ε × <see cref="ParameterScaling.EpsilonMultiplier"/> (the base ε without a depth rule).</summary>
    public double Epsilon { get; init; } = new AdamWSettings().Epsilon;
}
