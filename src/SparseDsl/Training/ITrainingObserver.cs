namespace SparseDsl;

/// <summary>
/// Receives a <see cref="Trainer{TModel}"/>'s progress: console displays, metric files and dashboards implement
/// the calls they care about (each has an empty default).
/// </summary>
public interface ITrainingObserver
{
    /// <summary>Training is about to run steps <paramref name="firstStep"/> to <paramref name="totalSteps"/>.</summary>
    void OnStart(long firstStep, long totalSteps) { }

    /// <summary>An optimizer step completed.</summary>
    void OnStep(StepMetrics metrics) { }

    /// <summary>A held-out evaluation completed.</summary>
    void OnEvaluation(EvaluationMetrics metrics) { }

    /// <summary>A checkpoint of <paramref name="step"/> was written atomically to <paramref name="path"/>.</summary>
    void OnCheckpoint(long step, string path) { }
}
