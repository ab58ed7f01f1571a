using SparseDsl.Examples.Gpt;

namespace SparseDsl.Examples.Cli;

/// <summary>
/// The LM's training-memory estimate from its declaration alone (no tensors are built), and the check every command
/// that trains makes before it writes anything: a run that cannot fit is refused with its estimate (exit 2).
/// </summary>
internal static class MemoryCheck
{
    /// <summary>The estimate for one run of the tied or untied LM.</summary>
    public static TrainingMemoryEstimate Estimate(bool untied, int width, ModelOptions options, int batch, int context)
    {
        var plan = untied
            ? ModelPlan.Create(GptLmUntied.Declaration, GptLmUntied.BaseWidth, width, options)
            : ModelPlan.Create(GptLm.Declaration, GptLm.BaseWidth, width, options);
        return TrainingMemoryEstimate.For(plan, batch, context);
    }

    /// <summary>Throws <see cref="InsufficientMemoryForRunException"/> when the runs cannot fit this machine; returns the estimate.</summary>
    public static TrainingMemoryEstimate EnsureFits(bool untied, int width, ModelOptions options, int batch, int context, int concurrentRuns = 1)
    {
        var estimate = Estimate(untied, width, options, batch, context);
        estimate.EnsureFits(TrainingMemoryEstimate.MachineBytes(), concurrentRuns);
        return estimate;
    }
}
