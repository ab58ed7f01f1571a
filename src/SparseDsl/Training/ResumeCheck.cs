namespace SparseDsl;

/// <summary>
/// Whether a checkpoint can continue a trainer's run: the same model type, width and depth scaling, and a step no
/// later than the run's last. Checked from the header alone, before any tensor is read.
/// </summary>
internal static class ResumeCheck
{
    /// <exception cref="InvalidDataException">The checkpoint is of another model or width, was trained under another
    /// depth rule or base depth, or is past <paramref name="totalSteps"/>.</exception>
    public static void Ensure(CheckpointHeader header, IScaledModel model, long totalSteps, string path)
    {
        header.Recipe.EnsureModelType(model.Recipe.ModelType);
        if (header.Recipe.Width != model.Recipe.Width)
            throw new InvalidDataException($"Checkpoint '{path}' is of width {header.Recipe.Width}, but the model has width {model.Recipe.Width}.");
        header.Recipe.EnsureSameDepthScaling(model.Plan, path);
        if (header.Step > totalSteps)
            throw new InvalidDataException($"Checkpoint '{path}' is at step {header.Step}, past the run's {totalSteps} steps.");
    }
}
