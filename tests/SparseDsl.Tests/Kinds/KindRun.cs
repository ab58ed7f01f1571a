using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SparseDsl.Tests.Kinds;

/// <summary>
/// A small model declared in the tests, trained with its own scaled AdamW on a fixed, seeded classification task:
/// what the new kinds' training and checkpoint tests share.
/// </summary>
internal sealed class KindRun : IDisposable
{
    private readonly Func<int, (Tensor Inputs, Tensor Targets)> batches;

    public KindRun(nn.Module<Tensor, Tensor> model, Func<int, (Tensor Inputs, Tensor Targets)> batches, double learningRate = 0.01)
    {
        Model = model;
        this.batches = batches;
        Optimizer = ScaledOptimizers.AdamW((IScaledModel)model, new AdamWSettings { LearningRate = learningRate, WeightDecay = 0 });
    }

    public nn.Module<Tensor, Tensor> Model { get; }

    public AdamW Optimizer { get; }

    /// <summary>One AdamW step on batch <paramref name="batch"/> (cross-entropy); returns the loss before the step.</summary>
    public float Step(int batch)
    {
        using var scope = NewDisposeScope();
        var (inputs, targets) = batches(batch);
        Model.train();
        Optimizer.zero_grad();
        var loss = nn.functional.cross_entropy(Model.call(inputs), targets);
        loss.backward();
        Optimizer.step();
        return loss.item<float>();
    }

    /// <summary>The mean loss over batches 1000.. (never trained on) without training.</summary>
    public float Evaluate(int count = 4)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        Model.eval();
        float total = 0;
        for (int i = 0; i < count; i++)
        {
            var (inputs, targets) = batches(1000 + i);
            total += nn.functional.cross_entropy(Model.call(inputs), targets).item<float>();
        }
        return total / count;
    }

    public void Dispose()
    {
        Optimizer.Dispose();
        Model.Dispose();
    }
}
