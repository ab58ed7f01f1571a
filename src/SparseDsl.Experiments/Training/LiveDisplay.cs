using SparseDsl.Experiments.Tokenization;

namespace SparseDsl.Experiments.Training;

/// <summary>
/// A live display of a training run (the CLI's terminal progress bar): runs <paramref name="run"/> with the display's
/// observer and returns what the run returns (the final validation loss).
/// </summary>
/// <param name="steps">The run's total steps.</param>
/// <param name="run">The run, given the display's observer.</param>
/// <param name="units">What the loss is per, for the display's labels.</param>
public delegate double LiveDisplay(long steps, Func<ITrainingObserver, double> run, LossUnits units);
