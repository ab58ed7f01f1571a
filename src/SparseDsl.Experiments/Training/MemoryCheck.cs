using SparseDsl.Experiments.Gpt;

namespace SparseDsl.Experiments.Training;

/// <summary>
/// The LM's training-memory estimate from its declaration alone (no tensors are built), and the check every command
/// that trains makes before it writes anything, whatever the model family (LMs, the vision models): a run that cannot
/// fit is refused with its estimate (exit 2).
/// </summary>
internal static class MemoryCheck
{
    /// <summary>The estimate for one run of <paramref name="model"/>.</summary>
    public static TrainingMemoryEstimate Estimate(LanguageModelEntry model, int width, ModelOptions options, int batch, int context) =>
        TrainingMemoryEstimate.For(model.Plan(width, options), batch, context);

    /// <summary>
    /// Throws <see cref="InsufficientMemoryForRunException"/> when the largest of <paramref name="estimates"/>, times
    /// <paramref name="concurrentRuns"/> runs in flight, cannot fit this machine; returns it (null when there is none).
    /// </summary>
    public static TrainingMemoryEstimate? EnsureFits(IEnumerable<TrainingMemoryEstimate> estimates, int concurrentRuns = 1)
    {
        var largest = estimates.MaxBy(e => e.TotalBytes);
        largest?.EnsureFits(TrainingMemoryEstimate.MachineBytes(), concurrentRuns);
        return largest;
    }

    /// <summary>Throws <see cref="InsufficientMemoryForRunException"/> when the runs cannot fit this machine; returns the estimate.</summary>
    public static TrainingMemoryEstimate EnsureFits(LanguageModelEntry model, int width, ModelOptions options, int batch, int context, int concurrentRuns = 1)
    {
        var estimate = Estimate(model, width, options, batch, context);
        estimate.EnsureFits(TrainingMemoryEstimate.MachineBytes(), concurrentRuns);
        return estimate;
    }
}
