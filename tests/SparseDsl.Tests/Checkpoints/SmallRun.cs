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

    // The trainer's step at a constant LR, without clipping or SAT: what a checkpoint must restore is the same either way.
    private static readonly TrainerSettings BareSteps = new()
    {
        Steps = 1000,
        Schedule = new ScheduleSettings { Kind = ScheduleKind.Constant, WarmupFraction = 0 },
        GradientClipNorm = null,
        Acceleration = SparsityAcceleration.Off,
    };

    private readonly TinyByteLm.Trainer _trainer;

    public SmallRun(long seed, ModelOptions? options = null, int width = Width)
    {
        Recipe = new ModelRecipe(ModelType, width, seed, options ?? new ModelOptions { Depth = 1, Sparsity = 0.75 });
        Model = new TinyByteLm(width, TestDevice.Current, seed, Recipe.Options);
        _trainer = new TinyByteLm.Trainer(Model, BareSteps, Batches.Value);
    }

    public ModelRecipe Recipe { get; }

    public TinyByteLm Model { get; }

    public AdamW Optimizer => _trainer.Optimizer;

    public long Steps { get; private set; }

    public CheckpointHeader Header() => new(Recipe, Steps, """{"lr":0.0162}""", DateTimeOffset.UnixEpoch.AddSeconds(Steps));

    /// <summary>One AdamW step on the batch numbered <paramref name="batch"/>; the same number gives the same batch.</summary>
    public float Step(int batch)
    {
        using var scope = NewDisposeScope();
        var (inputs, targets) = Batches.Value.TrainingBatch(batch + 1, 0, TestDevice.Current);
        Steps++;
        return (float)_trainer.TrainStep(inputs, targets).Loss;
    }

    /// <summary>Detached copies of every state-dict tensor, to compare with after the model changed.</summary>
    public Dictionary<string, Tensor> Snapshot() =>
        Model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());

    public void Dispose()
    {
        _trainer.Dispose();
        Model.Dispose();
    }

    /// <summary>Equal tensors: bitwise on the CPU, to <see cref="TestDevice.RelativeTolerance"/> on another device.</summary>
    public static bool Same(Tensor a, Tensor b) => TestDevice.Same(a, b);

    /// <summary>
    /// Asserts both state dicts hold the same names and equal tensors: bitwise on the CPU, where every caller compares two
    /// states of this process on this machine (issue 16: across CPUs the last bits differ); on another device to
    /// <see cref="TestDevice.RelativeTolerance"/>, since its kernels may add in no fixed order.
    /// </summary>
    public static void AssertSameState(IReadOnlyDictionary<string, Tensor> expected, IReadOnlyDictionary<string, Tensor> actual)
    {
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, tensor) in expected)
            Assert.True(Same(tensor, actual[name]), $"{name} differs");
    }
}
