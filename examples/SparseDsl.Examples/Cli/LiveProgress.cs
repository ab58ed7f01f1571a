using Spectre.Console;

namespace SparseDsl.Examples.Cli;

/// <summary>
/// A live progress bar on an interactive terminal (Spectre.Console): step, loss, tokens/s, percentage and ETA;
/// evaluations and checkpoints print above the bar.
/// </summary>
internal sealed class LiveProgress : ITrainingObserver
{
    private readonly ProgressTask _task;
    private readonly LossUnits _units;

    private LiveProgress(ProgressTask task, LossUnits units)
    {
        _task = task;
        _units = units;
    }

    /// <summary>Runs <paramref name="body"/> with a live bar for a run of <paramref name="totalSteps"/> steps; losses read in <paramref name="units"/> (bytes when null).</summary>
    public static T Run<T>(long totalSteps, Func<ITrainingObserver, T> body, LossUnits? units = null) =>
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(context => body(new LiveProgress(context.AddTask("starting", maxValue: totalSteps), units ?? LossUnits.Bytes)));

    public void OnStart(long firstStep, long totalSteps)
    {
        _task.Value = firstStep - 1;
        _task.Description = firstStep == 1 ? "training" : $"resuming at step {firstStep}";
    }

    public void OnStep(StepMetrics m)
    {
        _task.Value = m.Step;
        _task.Description = $"step {m.Step}/{m.TotalSteps}  loss {m.Loss:0.0000}  {PlainProgress.Omission(m)}{m.TokensPerSecond:N0} tokens/s";
    }

    public void OnEvaluation(EvaluationMetrics m) =>
        AnsiConsole.MarkupLineInterpolated($"[green]validation loss {_units.Describe(m.Loss)}[/] at step {m.Step}");

    public void OnCheckpoint(long step, string path) =>
        AnsiConsole.MarkupLineInterpolated($"[grey]checkpoint: step {step} saved to {path}[/]");
}
