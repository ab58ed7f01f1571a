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
    public static double WarmupLinearDecay(long step, long totalSteps, double warmupFraction = 0.1, double finalFraction = 0.1)
    {
        if (Warmup(step, totalSteps, warmupFraction, finalFraction, out double progress) is { } warming) return warming;
        return 1.0 - (1.0 - finalFraction) * progress;
    }

    /// <summary>Linear warm-up as in <see cref="WarmupLinearDecay"/>, then half-cosine decay to <paramref name="finalFraction"/> of the peak.</summary>
    public static double WarmupCosineDecay(long step, long totalSteps, double warmupFraction = 0.1, double finalFraction = 0.1)
    {
        if (Warmup(step, totalSteps, warmupFraction, finalFraction, out double progress) is { } warming) return warming;
        return finalFraction + (1.0 - finalFraction) * 0.5 * (1.0 + Math.Cos(Math.PI * progress));
    }

    /// <summary>Linear warm-up as in <see cref="WarmupLinearDecay"/>, then the peak LR to the end.</summary>
    public static double WarmupConstant(long step, long totalSteps, double warmupFraction = 0.1) =>
        Warmup(step, totalSteps, warmupFraction, finalFraction: 1.0, out _) ?? 1.0;

    /// <summary>
    /// The warm-up factor while warming up (null after), and how far through the post-warm-up phase
    /// <paramref name="step"/> is, in [0, 1]. Validates every argument, so each schedule checks them the same way.
    /// </summary>
    private static double? Warmup(long step, long totalSteps, double warmupFraction, double finalFraction, out double progress)
    {
        if (totalSteps <= 0) throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps, "Total steps must be positive.");
        if (step < 1 || step > totalSteps) throw new ArgumentOutOfRangeException(nameof(step), step, $"Step must be in [1, {totalSteps}].");
        if (!(warmupFraction >= 0 && warmupFraction < 1)) throw new ArgumentOutOfRangeException(nameof(warmupFraction), warmupFraction, "Must be in [0, 1).");
        if (!(finalFraction >= 0 && finalFraction <= 1)) throw new ArgumentOutOfRangeException(nameof(finalFraction), finalFraction, "Must be in [0, 1].");
        long warmupSteps = (long)Math.Ceiling(warmupFraction * totalSteps);
        progress = 0;
        if (step <= warmupSteps) return (double)step / warmupSteps;
        long decaySteps = totalSteps - warmupSteps;
        progress = decaySteps == 0 ? 1.0 : (double)(step - warmupSteps) / decaySteps;
        return null;
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
