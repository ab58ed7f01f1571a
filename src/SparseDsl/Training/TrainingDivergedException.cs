namespace SparseDsl;

/// <summary>
/// The loss or the gradients stopped being finite. Thrown before the optimizer step, so the model, the optimizer
/// and every checkpoint still hold the last good state.
/// </summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception for <paramref name="step"/>; <paramref name="what"/> says which value was not finite.</summary>
    public TrainingDivergedException(long step, string what)
        : base($"Training diverged at step {step}: {what}. The step was not applied; lower the learning rate or enable gradient clipping.")
    {
        Step = step;
    }

    /// <summary>The step whose loss or gradients were not finite (it was not applied).</summary>
    public long Step { get; }
}
