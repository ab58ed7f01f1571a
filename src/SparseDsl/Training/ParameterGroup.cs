namespace SparseDsl;

/// <summary>One optimizer group: parameters sharing a learning rate and weight decay.</summary>
/// <param name="LearningRate">The group's learning rate (η_base × multiplier).</param>
/// <param name="LearningRateMultiplier">The multiplier from <see cref="ScalingRules"/>.</param>
/// <param name="WeightDecay">The group's decoupled weight decay.</param>
/// <param name="Parameters">The members, with their state-dict names.</param>
public sealed record ParameterGroup(double LearningRate, double LearningRateMultiplier, double WeightDecay, IReadOnlyList<ScaledParameter> Parameters);
