namespace SparseDsl;

/// <summary>
/// The SAT hyperparameters of one MLP block (from its <see cref="SparsityAcceleratedAttribute"/>), or a run's
/// override of every block's (<see cref="TrainerSettings.Acceleration"/>).
/// </summary>
/// <param name="Schedule">The omission rate over the run.</param>
/// <param name="Metric">How neuron importance is estimated.</param>
/// <param name="Selection">How kept neurons are chosen from importance.</param>
/// <param name="ReestimateEvery">Re-estimate importance every this many optimizer steps (and whenever the rate changes).</param>
public sealed record SparsityAcceleration(LadderSchedule Schedule, NeuronImportance Metric = NeuronImportance.Wanda, NeuronSelection Selection = NeuronSelection.TopK, int ReestimateEvery = 1)
{
    /// <summary>Dense training: no neuron is ever omitted (the baseline SAT is compared with).</summary>
    public static SparsityAcceleration Off { get; } = new(LadderSchedule.Dense);

    /// <summary>SparseDsl's defaults: the same values as a bare <see cref="SparsityAcceleratedAttribute"/>.</summary>
    public static SparsityAcceleration Default { get; } = From(new SparsityAcceleratedAttribute());

    /// <summary>The settings an attribute declares.</summary>
    public static SparsityAcceleration From(SparsityAcceleratedAttribute attribute)
    {
        ArgumentNullException.ThrowIfNull(attribute);
        return new SparsityAcceleration(
            new LadderSchedule(attribute.OmissionRate, attribute.Rungs, attribute.HoldFraction, attribute.DenseFraction),
            attribute.Metric, attribute.Selection, attribute.ReestimateEvery);
    }

    /// <summary>Whether any step of a run omits neurons.</summary>
    public bool IsOff => Schedule.InitialRate == 0;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid value.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Schedule);
        Schedule.Validate();
        if (!Enum.IsDefined(Metric)) throw new ArgumentOutOfRangeException(nameof(Metric), Metric, "Unknown importance metric.");
        if (!Enum.IsDefined(Selection)) throw new ArgumentOutOfRangeException(nameof(Selection), Selection, "Unknown selection rule.");
        if (ReestimateEvery < 1) throw new ArgumentOutOfRangeException(nameof(ReestimateEvery), ReestimateEvery, "Importance must be re-estimated at least every step count ≥ 1.");
    }

    /// <inheritdoc />
    public override string ToString() => IsOff ? "SAT off (dense)" : $"SAT: {Schedule}; {Metric} importance, {Selection}, re-estimated every {ReestimateEvery} step(s)";
}
