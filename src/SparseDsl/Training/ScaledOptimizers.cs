using TorchSharp.Modules;

namespace SparseDsl;

/// <summary>
/// Builds optimizers from a model's scaled parameter groups, never from its raw parameter list: building AdamW over
/// <c>model.parameters()</c> gives every weight the same LR and silently loses the μP/SμPar LR scaling.
/// </summary>
public static class ScaledOptimizers
{
    /// <summary>Groups the model's parameters by (LR multiplier, weight-decay flag), in first-seen order.</summary>
    public static IReadOnlyList<ParameterGroup> ParameterGroups(IScaledModel model, AdamWSettings settings)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(settings);
        if (!(settings.LearningRate > 0) || !double.IsFinite(settings.LearningRate))
            throw new ArgumentOutOfRangeException(nameof(settings), settings.LearningRate, "The learning rate must be positive.");
        if (!(settings.WeightDecay >= 0))
            throw new ArgumentOutOfRangeException(nameof(settings), settings.WeightDecay, "Weight decay must be non-negative.");

        return model.ScaledParameters()
            .GroupBy(p => (p.Scaling.LearningRateMultiplier, p.Scaling.WeightDecay))
            .Select(g =>
            {
                double multiplier = g.Key.LearningRateMultiplier;
                double decay = !g.Key.WeightDecay ? 0.0
                    : settings.WidthIndependentWeightDecay ? settings.WeightDecay / multiplier
                    : settings.WeightDecay;
                return new ParameterGroup(settings.LearningRate * multiplier, multiplier, decay, g.ToList());
            })
            .ToList();
    }

    /// <summary>AdamW with one group per distinct (LR multiplier, weight decay) of the model.</summary>
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
            g.Parameters.Select(p => p.Parameter), g.LearningRate, settings.Beta1, settings.Beta2, settings.Epsilon, g.WeightDecay));
        return TorchSharp.torch.optim.AdamW(groups, settings.LearningRate, settings.Beta1, settings.Beta2, settings.Epsilon, settings.WeightDecay);
    }
}
