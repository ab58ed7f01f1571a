using SparseDsl.Tests.SmallModels;
using TorchSharp;
using static TorchSharp.torch;

namespace SparseDsl.Tests.Training;

/// <summary>
/// A training step must leave no tensor handle behind: a leaked handle per step is a run whose memory and finalizer
/// queue grow with its length (the 1,000-step memory benchmark found one per parameter per step).
/// TorchSharp counts live tensors per thread, and a test runs on one thread, so the count is this test's alone.
/// </summary>
public sealed class TensorLeakTests
{
    private static long LiveTensors => DisposeScopeManager.Statistics.ThreadTotalLiveCount;

    [Theory]
    [InlineData(false, WeightStorage.Dense, false)]
    [InlineData(true, WeightStorage.Dense, false)]
    [InlineData(true, WeightStorage.Sparse, false)]
    [InlineData(true, WeightStorage.Sparse, true)]
    public void Training_steps_and_evaluations_leave_no_live_tensors_behind(bool sparsityAccelerated, WeightStorage storage, bool recompute)
    {
        var options = new ModelOptions { Depth = 1, Storage = storage, RecomputeBlocks = recompute };
        using var model = new TinyByteLm(32, TestDevice.Current, seed: 3, options: options);
        var settings = new TrainerSettings { Steps = 12, Acceleration = sparsityAccelerated ? null : SparsityAcceleration.Off };
        using var trainer = model.CreateTrainer(settings, TinyText.Batches(4, 32, seed: 3, validationBatches: 2));
        Assert.Equal(storage == WeightStorage.Sparse, model.modules().OfType<ScaledLinear>().Any(l => l.IsSparseStorage));
        for (int i = 0; i < 2; i++) trainer.TrainStep(); // gradients, Adam state and SAT's kept indices now exist

        long before = LiveTensors;
        var rates = new List<double>();
        for (int i = 0; i < 6; i++) rates.Add(trainer.TrainStep().OmissionRate);
        trainer.Evaluate();

        Assert.Equal(before, LiveTensors);
        if (sparsityAccelerated) Assert.Contains(rates, r => r > 0); // the omitting path was the one measured
        Assert.Equal(recompute, BlockRecompute.HasRecomputed(model));
    }

    [Theory]
    [InlineData(WeightStorage.Dense)]
    [InlineData(WeightStorage.Sparse)]
    public void Building_a_model_leaves_no_handle_that_holds_a_dense_draw(WeightStorage storage)
    {
        // A sparse-stored layer draws its dense weight and keeps only the kept values: a leftover handle of the draw
        // (a view, a reshape) would keep the dense weight resident until a GC, the memory sparse storage exists to save.
        long before = LiveTensors;
        using var model = new TinyByteLm(32, TestDevice.Current, seed: 3, options: new ModelOptions { Depth = 1, Storage = storage });
        long built = LiveTensors - before;
        long held = model.state_dict().Count;
        var patterns = model.modules().OfType<ISparseStorageLayer>().Where(l => l.IsSparseStorage).Select(l => l.Pattern!).ToList();
        Assert.Equal(storage == WeightStorage.Sparse, patterns.Count > 0);
        // Each pattern's transposed arrays are its own, not registered; every other handle is a registered tensor.
        Assert.Equal(held + 3 * patterns.Count, built);
    }

    [Fact]
    public void Zeroing_gradients_zeroes_them_in_place_skips_parameters_without_one_and_leaves_no_handle()
    {
        using var withGrad = new TorchSharp.Modules.Parameter(ones(3, 4));
        using var without = new TorchSharp.Modules.Parameter(ones(2));
        using (var scope = NewDisposeScope()) withGrad.mul(2).sum().backward();
        using var gradBefore = withGrad.grad!;
        Assert.Equal(2f, gradBefore.max().item<float>());

        long before = LiveTensors;
        Gradients.Zero([withGrad, without]);
        Assert.Equal(before, LiveTensors);

        Assert.Equal(0f, gradBefore.abs().max().item<float>()); // in place: the handle taken before sees the zeros
        Assert.Null(without.grad);
    }
}
