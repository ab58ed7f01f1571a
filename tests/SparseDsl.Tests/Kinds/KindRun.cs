using SparseDsl.Tests.Checkpoints;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SparseDsl.Tests.Kinds;

/// <summary>
/// A small model declared in the tests, trained with its own scaled AdamW on a fixed, seeded classification task:
/// what the new kinds' training and checkpoint tests share. Batches are drawn on the CPU and moved to the model's
/// device, <see cref="TestDevice.Current"/> (build the model there).
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
        var (inputs, targets) = OnDevice(batches(batch));
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
            var (inputs, targets) = OnDevice(batches(1000 + i));
            total += nn.functional.cross_entropy(Model.call(inputs), targets).item<float>();
        }
        return total / count;
    }

    /// <summary>
    /// Trains a model 3 steps, saves a checkpoint, loads it into the same model rebuilt from its recipe with another seed
    /// (other weights and masks), and checks that the state matches and that the next step is bit-identical — which it
    /// is only if the Adam moments came back too. Both sides run in this process, on the same kernels: bit for bit on
    /// the CPU, to float32 tolerance on another device (<see cref="TestDevice"/>).
    /// </summary>
    /// <param name="build">The model from a recipe (the generated <c>FromRecipe</c>).</param>
    /// <param name="first">The model to train and save.</param>
    /// <param name="batches">The seeded batches.</param>
    /// <param name="drawnBuffer">A buffer (a mask) the other seed draws differently, so that loading it is tested; or null.</param>
    public static void AssertCheckpointRoundTrip(Func<ModelRecipe, nn.Module<Tensor, Tensor>> build, nn.Module<Tensor, Tensor> first,
        Func<int, (Tensor, Tensor)> batches, string? drawnBuffer = null)
    {
        using var folder = new TempFolder();
        string path = folder.File("kind.ckpt");
        using var saved = new KindRun(first, batches);
        for (int batch = 0; batch < 3; batch++) saved.Step(batch);
        var recipe = ((IScaledModel)saved.Model).Recipe;
        Checkpoint.Save(path, new CheckpointHeader(recipe, 3, "{}", DateTimeOffset.UnixEpoch), saved.Model, saved.Optimizer);

        using var resumed = new KindRun(build(recipe with { Seed = recipe.Seed + 94 }), batches);
        if (drawnBuffer is not null)
            Assert.False(SmallRun.Same(saved.Model.state_dict()[drawnBuffer], resumed.Model.state_dict()[drawnBuffer]), "the other seed drew the same buffer: loading it would go untested");
        Checkpoint.Load(path, resumed.Model, resumed.Optimizer);
        SmallRun.AssertSameState(saved.Model.state_dict(), resumed.Model.state_dict());
        TestDevice.AssertSameLoss(saved.Step(3), resumed.Step(3));
        SmallRun.AssertSameState(saved.Model.state_dict(), resumed.Model.state_dict());
    }

    private static (Tensor, Tensor) OnDevice((Tensor Inputs, Tensor Targets) batch) =>
        (batch.Inputs.to(TestDevice.Current), batch.Targets.to(TestDevice.Current));

    public void Dispose()
    {
        Optimizer.Dispose();
        Model.Dispose();
    }
}
