namespace SparseDsl;

/// <summary>What one optimizer step did.</summary>
/// <param name="Step">The step just completed (from 1).</param>
/// <param name="TotalSteps">Steps in the whole run.</param>
/// <param name="Loss">Mean training loss over the step's micro-batches.</param>
/// <param name="GradientNorm">Global gradient norm before clipping.</param>
/// <param name="LearningRate">η_base × the schedule's factor (each group's LR is this × its multiplier).</param>
/// <param name="Tokens">Tokens trained on since this process started training.</param>
/// <param name="Elapsed">Wall time since this process started training.</param>
public sealed record StepMetrics(long Step, long TotalSteps, double Loss, double GradientNorm, double LearningRate, long Tokens, TimeSpan Elapsed)
{
    /// <summary>Training throughput of this process.</summary>
    public double TokensPerSecond => Elapsed > TimeSpan.Zero ? Tokens / Elapsed.TotalSeconds : 0;

    /// <summary>SAT's MLP-neuron omission rate in this step (the largest over the model's MLP SAT blocks; 0 when dense).</summary>
    public double OmissionRate { get; init; }

    /// <summary>SAT's attention-head omission rate in this step (the largest over the model's head SAT blocks; 0 when every head trains).</summary>
    public double HeadOmissionRate { get; init; }

    /// <summary>The expert banks' weighted auxiliary losses (balance and z-loss) added to the gradient, mean over micro-batches; 0 without experts.</summary>
    public double AuxiliaryLoss { get; init; }

    /// <summary>Each expert bank's routing in this step: the expert load histogram and the unweighted balance and z-losses (empty without experts).</summary>
    public IReadOnlyList<RoutingStatistics> Routing { get; init; } = Array.Empty<RoutingStatistics>();

    /// <summary>The process's resident memory after the step (RSS on Linux), in bytes; 0 where not measured.</summary>
    public long ResidentBytes { get; init; }

    /// <summary><see cref="ResidentBytes"/> in MiB.</summary>
    public double ResidentMiB => ResidentBytes / 1048576.0;
}

/// <summary>A held-out evaluation.</summary>
/// <param name="Step">The last completed step when it ran.</param>
/// <param name="Loss">Mean loss over the validation batches.</param>
public sealed record EvaluationMetrics(long Step, double Loss);
