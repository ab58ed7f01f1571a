namespace SparseDsl;

/// <summary>The readable part of a checkpoint: what was trained, how far, and with which run settings.</summary>
/// <param name="Recipe">How to rebuild the model (type, width, seed, options).</param>
/// <param name="Step">The last completed optimizer step.</param>
/// <param name="RunConfig">The caller's run settings as a JSON document (opaque to the runtime; the CLI stores its options).</param>
/// <param name="SavedAtUtc">When the checkpoint was written.</param>
public sealed record CheckpointHeader(ModelRecipe Recipe, long Step, string RunConfig, DateTimeOffset SavedAtUtc)
{
    /// <summary>The on-disk format version this build writes and reads.</summary>
    public const int CurrentFormatVersion = 1;
}
