namespace SparseDsl;

/// <summary>Forwards every training event to each of several observers, in order.</summary>
public sealed class ObserverGroup(IEnumerable<ITrainingObserver> observers) : ITrainingObserver
{
    private readonly ITrainingObserver[] _observers = observers.ToArray();

    /// <inheritdoc />
    public void OnStart(long firstStep, long totalSteps) { foreach (var o in _observers) o.OnStart(firstStep, totalSteps); }

    /// <inheritdoc />
    public void OnStep(StepMetrics metrics) { foreach (var o in _observers) o.OnStep(metrics); }

    /// <inheritdoc />
    public void OnEvaluation(EvaluationMetrics metrics) { foreach (var o in _observers) o.OnEvaluation(metrics); }

    /// <inheritdoc />
    public void OnCheckpoint(long step, string path) { foreach (var o in _observers) o.OnCheckpoint(step, path); }
}
