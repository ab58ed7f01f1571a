namespace SparseDsl;

/// <summary>
/// Hyperparameters tuned once on a small dense proxy model and transferred by the scaling rules.
/// </summary>
/// <param name="InitStd">σ_base: init standard deviation at the base width and density 1.</param>
/// <param name="LearningRate">η_base: peak Adam learning rate at the base width and density 1.</param>
/// <param name="InputAlpha">α_input: multiplier on the embedding output (μP, SμPar).</param>
/// <param name="OutputAlpha">α_output: multiplier on the output logits (μP, SμPar), divided by m_d.</param>
public sealed record BaseHyperparameters(double InitStd, double LearningRate, double InputAlpha, double OutputAlpha)
{
    /// <summary>The values tuned in Dey et al. (2024), Table 3, on a dense 256-wide proxy.</summary>
    public static BaseHyperparameters Paper { get; } = new(0.08665602, 1.62e-2, 9.1705, 1.0951835);

    /// <summary>
    /// α_router: multiplier on an expert bank's router logits (μP and SμPar divide it by m_d, as α_output is for the
    /// readout; docs/moe.md). Default 1, <c>MuReadout</c>'s default; the SμPar paper tuned no router, so it is not in
    /// <see cref="Paper"/>'s values.
    /// </summary>
    public double RouterAlpha { get; init; } = 1.0;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> when a value is not a positive finite number.</summary>
    public void Validate()
    {
        Check(InitStd, nameof(InitStd));
        Check(LearningRate, nameof(LearningRate));
        Check(InputAlpha, nameof(InputAlpha));
        Check(OutputAlpha, nameof(OutputAlpha));
        Check(RouterAlpha, nameof(RouterAlpha));

        static void Check(double value, string name)
        {
            if (!double.IsFinite(value) || value <= 0)
                throw new ArgumentOutOfRangeException(name, value, $"{name} must be a positive finite number.");
        }
    }
}
