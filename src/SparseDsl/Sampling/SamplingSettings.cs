namespace SparseDsl;

/// <summary>How <see cref="NextTokenSampler"/> picks each token.</summary>
public sealed record SamplingSettings
{
    /// <summary>Logits are divided by this before the softmax: below 1 is more conservative, above 1 more varied. Must be positive. Default 0.8.</summary>
    public double Temperature { get; init; } = 0.8;

    /// <summary>Sample only among the this many most likely tokens (null: all). Default 40.</summary>
    public int? TopK { get; init; } = 40;

    /// <summary>Seed of the sampler's own generator: the same seed, model and prompt give the same text. Default 7.</summary>
    public long Seed { get; init; } = 7;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (!(Temperature > 0 && double.IsFinite(Temperature)))
            throw new ArgumentOutOfRangeException(nameof(Temperature), Temperature, "The temperature must be a positive number.");
        if (TopK is <= 0)
            throw new ArgumentOutOfRangeException(nameof(TopK), TopK, "Top-k must be positive (or unset for no limit).");
    }
}
