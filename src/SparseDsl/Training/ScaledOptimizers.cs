using TorchSharp.Modules;

namespace SparseDsl;

/// <summary>
/// Builds optimizers from a model's scaled parameter groups, never from its raw parameter list: building AdamW over
/// <c>model.parameters()</c> gives every weight the same LR and silently loses the μP/SμPar LR scaling.
/// </summary>
public static class ScaledOptimizers
{
    /// <summary>
    /// Groups the model's parameters by (learning rate, weight decay, AdamW ε), in first-seen order. Each value is the
    /// base setting times the factor <see cref="ScalingRules"/> gave the tensor: its LR multiplier, its ε multiplier
    /// (in-branch and out-of-branch groups differ under a depth rule even at the same LR) and its decay multiplier.
    /// </summary>
    public static IReadOnlyList<ParameterGroup> ParameterGroups(IScaledModel model, AdamWSettings settings)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(settings);
        if (!(settings.LearningRate > 0) || !double.IsFinite(settings.LearningRate))
            throw new ArgumentOutOfRangeException(nameof(settings), settings.LearningRate, "The learning rate must be positive.");
        if (!(settings.WeightDecay >= 0))
            throw new ArgumentOutOfRangeException(nameof(settings), settings.WeightDecay, "Weight decay must be non-negative.");
        if (!(settings.Epsilon > 0) || !double.IsFinite(settings.Epsilon))
            throw new ArgumentOutOfRangeException(nameof(settings), settings.Epsilon, "AdamW's ε must be positive.");

        return model.ScaledParameters()
            // The decay flag stays in the key, so that with λ = 0 the groups are still those of earlier versions (and their checkpoints).
            .GroupBy(p => (p.Scaling.LearningRateMultiplier, p.Scaling.WeightDecay, Decay: Decay(p.Scaling, settings), p.Scaling.EpsilonMultiplier))
            .Select(g => new ParameterGroup(settings.LearningRate * g.Key.LearningRateMultiplier, g.Key.LearningRateMultiplier, g.Key.Decay, g.ToList())
            {
                Epsilon = settings.Epsilon * g.Key.EpsilonMultiplier,
            })
            .ToList();
    }

    // λ × the rules' factor: m_d·m_ρ for hidden weights under a depth rule, 1 otherwise; the width-independent option
    // divides by the width×density part of the LR multiplier, never by its depth part.
    private static double Decay(ParameterScaling scaling, AdamWSettings settings) =>
        !scaling.WeightDecay ? 0.0
        : settings.WeightDecay * (settings.WidthIndependentWeightDecay ? ScalingRules.WidthIndependentDecayMultiplier(scaling) : scaling.WeightDecayMultiplier);

    /// <summary>AdamW with one group per distinct (learning rate, weight decay, ε) of the model.</summary>
    public static AdamW AdamW(IScaledModel model, AdamWSettings? settings = null)
    {
        settings ??= new AdamWSettings();
        return AdamW(ParameterGroups(model, settings), settings);
    }

    /// <summary>AdamW over groups already built by <see cref="ParameterGroups"/> with the same <paramref name="settings"/>.</summary>
    public static AdamW AdamW(IReadOnlyList<ParameterGroup> parameterGroups, AdamWSettings settings)
    {
        ArgumentNullException.ThrowIfNull(parameterGroups);
        ArgumentNullException.ThrowIfNull(settings);
        var groups = parameterGroups.Select(g => new AdamW.ParamGroup(
            g.Parameters.Select(p => p.Parameter), g.LearningRate, settings.Beta1, settings.Beta2, g.Epsilon, g.WeightDecay));
        return TorchSharp.torch.optim.AdamW(groups, settings.LearningRate, settings.Beta1, settings.Beta2, settings.Epsilon, settings.WeightDecay);
    }
}
