namespace SparseDsl;

/// <summary>A learning-rate schedule: linear warm-up from 0, then <see cref="Kind"/>. Defaults are the paper's.</summary>
public sealed record ScheduleSettings
{
    /// <summary>What follows warm-up. Default: linear decay.</summary>
    public ScheduleKind Kind { get; init; } = ScheduleKind.Linear;

    /// <summary>Fraction of the steps spent warming up linearly from 0, in [0, 1). Default 0.1.</summary>
    public double WarmupFraction { get; init; } = 0.1;

    /// <summary>The last step's LR as a fraction of the peak, in [0, 1] (ignored by <see cref="ScheduleKind.Constant"/>). Default 0.1.</summary>
    public double FinalFraction { get; init; } = 0.1;

    /// <summary>The LR factor (multiplying every group's scaled LR) at <paramref name="step"/> of <paramref name="totalSteps"/>.</summary>
    public double Factor(long step, long totalSteps) => Kind switch
    {
        ScheduleKind.Linear => LearningRateSchedule.WarmupLinearDecay(step, totalSteps, WarmupFraction, FinalFraction),
        ScheduleKind.Cosine => LearningRateSchedule.WarmupCosineDecay(step, totalSteps, WarmupFraction, FinalFraction),
        ScheduleKind.Constant => LearningRateSchedule.WarmupConstant(step, totalSteps, WarmupFraction),
        _ => throw new ArgumentOutOfRangeException(nameof(Kind), Kind, "Unknown schedule kind."),
    };
}
