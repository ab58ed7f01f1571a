namespace SparseDsl;

/// <summary>
/// Everything needed to build a declared model again, bit for bit: its type, width, seed and options. Checkpoints
/// store it so that <c>--resume</c> and <c>sample</c> rebuild the very model that was trained.
/// </summary>
/// <param name="ModelType">The declared model's type name (a checkpoint of another model is refused).</param>
/// <param name="Width">The actual width.</param>
/// <param name="Seed">The seed for weights and masks.</param>
/// <param name="Options">Parameterization, base hyperparameters, sparsity and depth overrides.</param>
public sealed record ModelRecipe(string ModelType, int Width, long Seed, ModelOptions Options)
{
    /// <summary>Throws <see cref="InvalidDataException"/> unless this recipe is for <paramref name="modelType"/>.</summary>
    public void EnsureModelType(string modelType)
    {
        if (!string.Equals(ModelType, modelType, StringComparison.Ordinal))
            throw new InvalidDataException($"The checkpoint holds a {ModelType}, not a {modelType}.");
    }
}
