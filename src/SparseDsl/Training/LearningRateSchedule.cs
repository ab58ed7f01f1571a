using TorchSharp.Modules;

namespace SparseDsl;

/// <summary>
/// Learning-rate factors applied on top of each group's scaled LR, so a schedule never undoes the per-group
/// μP/SμPar scaling: every group's LR is its initial (scaled) LR times the same factor.
/// </summary>
public static class LearningRateSchedule
{
    /// <summary>
    /// The paper's schedule: linear warm-up from 0 over the first <paramref name="warmupFraction"/> of
    /// <paramref name="totalSteps"/>, then linear decay to <paramref name="finalFraction"/> of the peak.
    /// <paramref name="step"/> counts from 1.
    /// </summary>
    public static double WarmupLinearDecay(int step, int totalSteps, double warmupFraction = 0.1, double finalFraction = 0.1)
    {
        if (totalSteps <= 0) throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps, "Total steps must be positive.");
        if (step < 1 || step > totalSteps) throw new ArgumentOutOfRangeException(nameof(step), step, $"Step must be in [1, {totalSteps}].");
        if (!(warmupFraction >= 0 && warmupFraction < 1)) throw new ArgumentOutOfRangeException(nameof(warmupFraction), warmupFraction, "Must be in [0, 1).");
        if (!(finalFraction >= 0 && finalFraction <= 1)) throw new ArgumentOutOfRangeException(nameof(finalFraction), finalFraction, "Must be in [0, 1].");

        int warmupSteps = (int)Math.Ceiling(warmupFraction * totalSteps);
        if (step <= warmupSteps) return (double)step / warmupSteps;
        int decaySteps = totalSteps - warmupSteps;
        double progress = decaySteps == 0 ? 1.0 : (double)(step - warmupSteps) / decaySteps;
        return 1.0 - (1.0 - finalFraction) * progress;
    }

    /// <summary>Sets every group's LR to its initial (scaled) LR times <paramref name="factor"/>.</summary>
    public static void Apply(OptimizerHelper optimizer, double factor)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        if (!(factor >= 0) || !double.IsFinite(factor)) throw new ArgumentOutOfRangeException(nameof(factor), factor, "The LR factor must be a non-negative finite number.");
        foreach (var group in optimizer.ParamGroups)
            group.LearningRate = group.InitialLearningRate * factor;
    }
}
