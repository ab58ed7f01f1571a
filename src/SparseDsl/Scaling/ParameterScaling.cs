namespace SparseDsl;

/// <summary>How one parameter tensor is initialised, trained and applied.</summary>
/// <param name="Role">The row of Table 1 that applies.</param>
/// <param name="InitStd">Standard deviation of the normal init (0 for biases; gains are set to 1 instead).</param>
/// <param name="LearningRateMultiplier">Factor on the base learning rate for this parameter's optimizer group.</param>
/// <param name="ForwardMultiplier">Factor on the layer's output in the forward pass (1 when none).</param>
/// <param name="WeightDecay">Whether decoupled weight decay applies (not to biases and norm gains).</param>
public readonly record struct ParameterScaling(
    ParameterRole Role,
    double InitStd,
    double LearningRateMultiplier,
    double ForwardMultiplier,
    bool WeightDecay);
