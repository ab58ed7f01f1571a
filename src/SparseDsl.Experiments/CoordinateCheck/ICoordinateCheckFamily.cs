using static TorchSharp.torch;

namespace SparseDsl.Experiments.CoordinateCheck;

/// <summary>
/// A model family the coordinate check can measure: it builds one run's model and its data, says which modules' outputs
/// are recorded and under which block name, and steps the training. <see cref="CoordinateCheckRunner"/> owns the grid,
/// the hooks and the rows, so a family is only this wiring (the LMs: <see cref="LanguageModelFamily"/>; the
/// Fashion-MNIST models: <see cref="Vision.VisionFamily"/>).
/// </summary>
public interface ICoordinateCheckFamily
{
    /// <summary>The model's type name, as the log and the summary print it (<c>GptLm</c>, <c>FashionConvNet</c>).</summary>
    string Name { get; }

    /// <summary>Where the batches come from, in words, for the log line.</summary>
    string Source { get; }

    /// <summary>
    /// Refuses a grid this model cannot run (a width its heads do not divide, a batch larger than its data) before any run
    /// starts or any file is written.
    /// </summary>
    /// <exception cref="ArgumentException">The grid holds a cell the model cannot take; the message says why.</exception>
    void Validate(CoordinateCheckSettings settings);

    /// <summary>
    /// What one run of the cell (<paramref name="width"/>, <paramref name="density"/>) needs in memory, from the model's
    /// plan alone. The coordinate check refuses a grid whose largest cell cannot fit the machine
    /// (<see cref="Training.MemoryCheck"/>) before anything is written, for every family alike.
    /// </summary>
    /// <exception cref="ArgumentException">The model cannot be built at this cell.</exception>
    TrainingMemoryEstimate MemoryEstimate(CoordinateCheckSettings settings, int width, double density);

    /// <summary>
    /// Builds the model of <paramref name="run"/> with a trainer at step 0 under <paramref name="trainer"/>, hands its probes
    /// and its step to <paramref name="measure"/> and disposes the model and the data afterwards.
    /// </summary>
    TResult Train<TResult>(CoordinateCheckRun run, CoordinateCheckSettings settings, TrainerSettings trainer, Device device, Func<ProbedTraining, TResult> measure);
}

/// <summary>One training run of the grid.</summary>
/// <param name="Parameterization">SP, μP or SμPar.</param>
/// <param name="Width">Model width.</param>
/// <param name="Density">Density ρ of every hidden layer (1 − sparsity).</param>
/// <param name="Seed">Seeds the weights, the masks and the batches.</param>
public sealed record CoordinateCheckRun(Parameterization Parameterization, int Width, double Density, int Seed);

/// <summary>A module whose output the coordinate check records, and the block name its rows carry (modules of one name are averaged).</summary>
/// <param name="Block">Block name in rows and plots, e.g. <c>attention</c> or <c>logits</c>.</param>
/// <param name="Module">The module; a forward hook reads its output.</param>
public readonly record struct Probe(string Block, nn.Module<Tensor, Tensor> Module);

/// <summary>A model ready to be measured: the modules to record and its next training step.</summary>
/// <param name="Probes">Modules to record, in the order their block names should appear in plots.</param>
/// <param name="Step">Runs the next optimizer step (forward, backward, AdamW); throws <see cref="TrainingDivergedException"/> when it refuses one.</param>
public sealed record ProbedTraining(IReadOnlyList<Probe> Probes, Func<StepMetrics> Step);
