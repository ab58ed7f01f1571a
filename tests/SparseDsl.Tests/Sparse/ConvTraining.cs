using SparseDsl.Tests.Kinds;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SparseDsl.Tests.Sparse;

/// <summary>
/// A <see cref="TinyConvNet"/> and its AdamW optimizer on the CPU (sparse storage's kernels are CPU kernels), trained on
/// the seeded stroke batches: the small ConvNet the sparse convolution tests train on both storages.
/// </summary>
internal sealed class ConvTraining : IDisposable
{
    public ConvTraining(WeightStorage storage, long seed, double sparsity = 0.875)
        : this(new TinyConvNet(32, seed: seed, options: new ModelOptions { Sparsity = sparsity, Storage = storage }))
    {
    }

    public ConvTraining(TinyConvNet model)
    {
        Model = model;
        Optimizer = ScaledOptimizers.AdamW(model, new AdamWSettings { LearningRate = 0.004, WeightDecay = 0.1 });
    }

    public TinyConvNet Model { get; }

    public AdamW Optimizer { get; }

    /// <summary>One AdamW step on batch <paramref name="batch"/>; returns the loss before the step.</summary>
    public double Step(int batch)
    {
        using var scope = NewDisposeScope();
        var (images, labels) = TinyConvNet.Batch(batch);
        Model.train();
        Optimizer.zero_grad();
        var loss = nn.functional.cross_entropy(Model.call(images), labels);
        loss.backward();
        Optimizer.step();
        return loss.item<float>();
    }

    /// <summary>The logits of a held-out batch, detached.</summary>
    public Tensor Logits() => LogitsOf(Model);

    /// <summary>The logits of <paramref name="model"/> on a held-out batch, detached.</summary>
    public static Tensor LogitsOf(TinyConvNet model)
    {
        using var _ = no_grad();
        model.eval();
        var (images, labels) = TinyConvNet.Batch(1000, size: 8);
        using (labels) using (images) return model.call(images).detach().clone();
    }

    public void Dispose()
    {
        Optimizer.Dispose();
        Model.Dispose();
    }
}
