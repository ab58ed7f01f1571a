using static TorchSharp.torch;

namespace SparseDsl;

/// <summary>
/// Where a <see cref="Trainer{TModel}"/> gets its batches. Training batches are a pure function of
/// (step, micro-step), never of how many batches were drawn before: that is what lets a resumed run see exactly the
/// batches an uninterrupted run would have seen.
/// </summary>
public interface ITrainingData
{
    /// <summary>Tokens in one micro-batch (for tokens/s).</summary>
    long TokensPerBatch { get; }

    /// <summary>The inputs and targets of micro-batch <paramref name="microStep"/> of optimizer step <paramref name="step"/> (from 1).</summary>
    (Tensor Inputs, Tensor Targets) TrainingBatch(long step, int microStep, Device device);

    /// <summary>The held-out batches, the same ones every time they are asked for.</summary>
    IEnumerable<(Tensor Inputs, Tensor Targets)> ValidationBatches(Device device);
}
