using SparseDsl.Data;
using SparseDsl.Tests.SmallModels;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SparseDsl.Tests.Checkpoints;

/// <summary>
/// A <see cref="TinyByteLm"/> with its scaled AdamW, trained on fixed batches of <see cref="TinyText"/>: a small thing
/// that has parameters, mask buffers and Adam moments to put in a checkpoint.
/// </summary>
internal sealed class SmallRun : IDisposable
{
    public const string ModelType = nameof(TinyByteLm);
    public const int Width = 32;

    private static readonly Lazy<NextTokenBatches> Batches = new(() => TinyText.Batches(4, 32, seed: 0));

    public SmallRun(long seed, ModelOptions? options = null, int width = Width)
    {
        Recipe = new ModelRecipe(ModelType, width, seed, options ?? new ModelOptions { Depth = 1, Sparsity = 0.75 });
        Model = new TinyByteLm(width, CPU, seed, Recipe.Options);
        Optimizer = ScaledOptimizers.AdamW((IScaledModel)Model, new AdamWSettings());
    }

    public ModelRecipe Recipe { get; }

    public nn.Module<Tensor, Tensor> Model { get; }

    public AdamW Optimizer { get; }

    public long Steps { get; private set; }

    public CheckpointHeader Header() => new(Recipe, Steps, """{"lr":0.0162}""", DateTimeOffset.UnixEpoch.AddSeconds(Steps));

    /// <summary>One AdamW step on the batch numbered <paramref name="batch"/>; the same number gives the same batch.</summary>
    public float Step(int batch)
    {
        using var scope = NewDisposeScope();
        var (inputs, targets) = Batches.Value.TrainingBatch(batch + 1, 0, CPU);
        Steps++;
        var loss = LanguageModelLoss.NextToken(Model.call(inputs), targets);
        Gradients.Zero(Optimizer);
        loss.backward();
        Optimizer.step();
        return loss.item<float>();
    }

    /// <summary>Detached copies of every state-dict tensor, to compare with after the model changed.</summary>
    public Dictionary<string, Tensor> Snapshot() =>
        Model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());

    public void Dispose()
    {
        Optimizer.Dispose();
        Model.Dispose();
    }

    public static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    /// <summary>
    /// Asserts both state dicts hold the same names and bitwise-equal tensors: every caller compares two states of this
    /// process, on this machine (issue 16: across CPUs the last bits differ).
    /// </summary>
    public static void AssertSameState(IReadOnlyDictionary<string, Tensor> expected, IReadOnlyDictionary<string, Tensor> actual)
    {
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, tensor) in expected)
            Assert.True(Same(tensor, actual[name]), $"{name} differs");
    }
}
