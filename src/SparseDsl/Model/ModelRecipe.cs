namespace SparseDsl;

/// <summary>
/// Everything needed to build a declared model again, bit for bit: its type, width, seed and options. Checkpoints
/// store it so that <c>--resume</c> and <c>sample</c> rebuild the very model that was trained.
/// </summary>
/// <param name="ModelType">The declared model's type name (a checkpoint of another model is refused).</param>
/// <param name="Width">The actual width.</param>
/// <param name="Seed">The seed for weights and masks.</param>
/// <param name="Options">Parameterization, depth rule, base hyperparameters, sparsity and depth overrides.</param>
public sealed record ModelRecipe(string ModelType, int Width, long Seed, ModelOptions Options)
{
    /// <summary>
    /// The declared base depth of each <see cref="RepeatAttribute"/> stack when the recipe was saved (null in recipes
    /// written before depth rules, and in a model's own recipe): m_L depends on it, so a checkpoint records it and
    /// <see cref="EnsureSameDepthScaling"/> refuses a model whose declaration changed it.
    /// </summary>
    public IReadOnlyDictionary<string, int>? BaseDepths { get; init; }

    /// <summary>This recipe with the base depths of <paramref name="plan"/>'s stacks recorded (what a checkpoint stores).</summary>
    public ModelRecipe WithBaseDepths(ModelPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return plan.Stacks.Count == 0 ? this : this with { BaseDepths = plan.Stacks.ToDictionary(s => s.Name, s => s.BaseDepth, StringComparer.Ordinal) };
    }

    /// <summary>
    /// Throws <see cref="InvalidDataException"/> unless a model built as <paramref name="plan"/> scales depth as this
    /// (saved) recipe did: the same <see cref="ModelOptions.DepthRule"/> (a recipe without one is <see cref="DepthRule.None"/>)
    /// and, where recorded, the same base depth for every stack.
    /// </summary>
    /// <param name="plan">The plan of the model about to take the saved state.</param>
    /// <param name="source">The file the recipe came from, for the message.</param>
    public void EnsureSameDepthScaling(ModelPlan plan, string source)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var saved = Options.DepthRule;
        if (saved != plan.DepthRule)
            throw new InvalidDataException($"Checkpoint '{source}' was trained under depth rule {saved.DisplayName()}, but the model is built with depth rule {plan.DepthRule.DisplayName()}: its residual multipliers, learning rates and AdamW ε would differ. Build the model from the checkpoint's recipe (Checkpoint.ReadHeader), whose depth rule is {saved.Token()}.");
        if (BaseDepths is null) return;
        foreach (var stack in plan.Stacks)
        {
            if (BaseDepths.TryGetValue(stack.Name, out int baseDepth) && baseDepth != stack.BaseDepth)
                throw new InvalidDataException($"Checkpoint '{source}' was trained with base depth {baseDepth} for '{stack.Name}', but the model declares base depth {stack.BaseDepth}: m_L would differ.");
        }
    }

    /// <summary>Throws <see cref="InvalidDataException"/> unless this recipe is for <paramref name="modelType"/>.</summary>
    public void EnsureModelType(string modelType)
    {
        if (!string.Equals(ModelType, modelType, StringComparison.Ordinal))
            throw new InvalidDataException($"The checkpoint holds a {ModelType}, not a {modelType}.");
    }
}
