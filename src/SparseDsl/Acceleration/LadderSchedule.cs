using System.Globalization;

namespace SparseDsl;

/// <summary>
/// SAT's ladder omission-rate schedule: omit <see cref="InitialRate"/> of the neurons for the first
/// <see cref="HoldFraction"/> of the run, then step down through <see cref="Rungs"/> − 1 equal, equally long rungs,
/// and train dense for the last <see cref="DenseFraction"/>. The paper describes this shape (a fixed rate, then
/// lower rates, to avoid over-fitting the sub-network); its exact breakpoints are not published in what we could
/// read, so these are parameters.
/// </summary>
/// <param name="InitialRate">Omission rate of the first rung, in [0, 1); 0 means dense throughout.</param>
/// <param name="Rungs">Non-zero rates on the ladder, the first included; rung <c>j</c> (from 0) omits <c>InitialRate·(Rungs − j)/Rungs</c>. With 1, the first rung lasts until the dense phase.</param>
/// <param name="HoldFraction">Fraction of the run at <see cref="InitialRate"/>, in (0, 1].</param>
/// <param name="DenseFraction">Fraction of the run, at its end, at rate 0, in [0, 1).</param>
public sealed record LadderSchedule(double InitialRate, int Rungs, double HoldFraction, double DenseFraction)
{
    /// <summary>Dense training throughout.</summary>
    public static LadderSchedule Dense { get; } = new(0, 1, 1, 0);

    /// <summary>The omission rate for optimizer step <paramref name="step"/> (from 1) of <paramref name="totalSteps"/>.</summary>
    public double Rate(long step, long totalSteps)
    {
        if (totalSteps <= 0) throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps, "The run must have at least one step.");
        if (step < 1 || step > totalSteps) throw new ArgumentOutOfRangeException(nameof(step), step, $"Steps run from 1 to {totalSteps}.");
        Validate();
        // The fraction of the run already done when this step starts: step 1 is at 0, so a run starts on the first rung.
        double done = (double)(step - 1) / totalSteps;
        double sparseEnd = 1 - DenseFraction;
        if (InitialRate == 0 || done >= sparseEnd) return 0;
        if (done < HoldFraction || Rungs == 1) return InitialRate;
        int descending = Rungs - 1;
        int rung = 1 + Math.Min(descending - 1, (int)Math.Floor((done - HoldFraction) / (sparseEnd - HoldFraction) * descending));
        return InitialRate * (Rungs - rung) / Rungs;
    }

    /// <summary>The mean omission rate over a run of <paramref name="totalSteps"/>: the compute the MLP saves, before overheads.</summary>
    public double MeanRate(long totalSteps)
    {
        double sum = 0;
        for (long step = 1; step <= totalSteps; step++) sum += Rate(step, totalSteps);
        return sum / totalSteps;
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first value out of range.</summary>
    public void Validate()
    {
        if (!(InitialRate >= 0 && InitialRate < 1))
            throw new ArgumentOutOfRangeException(nameof(InitialRate), InitialRate, "The omission rate must be in [0, 1): at least one neuron is always kept.");
        if (Rungs < 1) throw new ArgumentOutOfRangeException(nameof(Rungs), Rungs, "The ladder needs at least one rung.");
        if (!(HoldFraction > 0 && HoldFraction <= 1))
            throw new ArgumentOutOfRangeException(nameof(HoldFraction), HoldFraction, "The hold fraction must be in (0, 1].");
        if (!(DenseFraction >= 0 && DenseFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(DenseFraction), DenseFraction, "The dense fraction must be in [0, 1).");
        if (HoldFraction + DenseFraction > 1 + 1e-12)
            throw new ArgumentOutOfRangeException(nameof(HoldFraction), HoldFraction, $"The hold ({HoldFraction}) and dense ({DenseFraction}) fractions add up to more than the whole run.");
    }

    /// <summary>The ladder in words, e.g. <c>omit 0.5 to 50%, 0.25 to 80%, then dense</c>.</summary>
    public override string ToString()
    {
        if (InitialRate == 0) return "dense";
        var parts = new List<string>();
        double sparseEnd = 1 - DenseFraction;
        double hold = Rungs == 1 ? sparseEnd : HoldFraction;
        parts.Add($"omit {Format(InitialRate)} to {Percent(hold)}");
        for (int rung = 1; rung < Rungs; rung++)
        {
            double end = HoldFraction + (sparseEnd - HoldFraction) * rung / (Rungs - 1);
            parts.Add($"{Format(InitialRate * (Rungs - rung) / Rungs)} to {Percent(end)}");
        }
        return string.Join(", ", parts) + (DenseFraction > 0 ? ", then dense" : "");
    }

    private static string Format(double rate) => rate.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Percent(double fraction) => (fraction * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";
}
