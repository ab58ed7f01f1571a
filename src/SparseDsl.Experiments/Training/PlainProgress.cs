namespace SparseDsl.Experiments.Training;

/// <summary>
/// Progress as plain lines, for logs and pipes (CI greps the <c>step … loss …</c> lines): the first step, every
/// <c>logEvery</c>-th step and the last, then evaluations and checkpoints as they happen.
/// </summary>
internal sealed class PlainProgress(TextWriter output, long logEvery, Tokenization.LossUnits? units = null) : ITrainingObserver
{
    private readonly Tokenization.LossUnits _units = units ?? Tokenization.LossUnits.Bytes;
    private long _firstStep = 1;

    public void OnStart(long firstStep, long totalSteps)
    {
        _firstStep = firstStep;
        output.WriteLine(firstStep == 1 ? $"Training {totalSteps} steps."
            : firstStep > totalSteps ? $"All {totalSteps} steps are already done; evaluating."
            : $"Resuming at step {firstStep} of {totalSteps}.");
    }

    public void OnStep(StepMetrics m)
    {
        if (m.Step != _firstStep && m.Step % logEvery != 0 && m.Step != m.TotalSteps) return;
        output.WriteLine($"step {m.Step,5}/{m.TotalSteps}  loss {m.Loss:0.0000}  lr {m.LearningRate:0.00e+00}  grad-norm {m.GradientNorm:0.000}  {Omission(m)}{m.TokensPerSecond:N0} tokens/s  RSS {m.ResidentMiB:N0} MiB  ETA {Eta(m, _firstStep)}");
    }

    public void OnEvaluation(EvaluationMetrics m) => output.WriteLine($"validation loss {_units.Describe(m.Loss)} at step {m.Step}");

    public void OnCheckpoint(long step, string path) => output.WriteLine($"checkpoint: step {step} saved to {path}");

    /// <summary>The SAT omission rates of the step, when it omitted MLP neurons or attention heads: <c>SAT omit 0.5, heads 0.25</c>.</summary>
    internal static string Omission(StepMetrics m) => (m.OmissionRate > 0, m.HeadOmissionRate > 0) switch
    {
        (true, true) => $"SAT omit {m.OmissionRate:0.###}, heads {m.HeadOmissionRate:0.###}  ",
        (true, false) => $"SAT omit {m.OmissionRate:0.###}  ",
        (false, true) => $"SAT omit heads {m.HeadOmissionRate:0.###}  ",
        _ => "",
    };

    /// <summary>Remaining time at this process's pace so far.</summary>
    internal static string Eta(StepMetrics m, long firstStep = 1)
    {
        long done = m.Step - firstStep + 1;
        if (done <= 0 || m.Elapsed <= TimeSpan.Zero) return "-";
        var remaining = TimeSpan.FromSeconds(m.Elapsed.TotalSeconds / done * (m.TotalSteps - m.Step));
        return remaining.ToString(remaining.TotalHours >= 1 ? @"h\:mm\:ss" : @"m\:ss", System.Globalization.CultureInfo.InvariantCulture);
    }
}
