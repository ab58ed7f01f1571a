namespace SparseDsl.Tests.Checkpoints;

/// <summary>
/// Checkpoint tests save and restore torch's process-wide RNG state; run alone, other tests' draws can neither
/// disturb theirs nor be disturbed by a restore.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalRngCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "torch global RNG";
}
