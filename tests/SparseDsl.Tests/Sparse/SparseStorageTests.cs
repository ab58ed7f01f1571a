using SparseDsl.Tests.Kinds;
using SparseDsl.Tests.SmallModels;
using static TorchSharp.torch;

namespace SparseDsl.Tests.Sparse;

/// <summary>
/// Models built with sparse storage against the same models on the dense masked path: the same seeded pattern and
/// values, the same training to float32 tolerance (SAT and MoE included), no storage, gradient or moment at a masked
/// position, exact resume, and old dense-mask checkpoints.
/// </summary>
public sealed class SparseStorageTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("sparsedsl-storage-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static ModelOptions Options(WeightStorage storage, double sparsity = 0.875) => new() { Depth = 1, Sparsity = sparsity, Storage = storage };

    private static List<ScaledLinear> Masked(nn.Module model) => model.modules().OfType<ScaledLinear>().Where(l => l.Plan.IsMasked).ToList();

    private static global::SparseDsl.Data.NextTokenBatches Batches() => TinyText.Batches(4, 32, seed: 5, validationBatches: 2);

    private sealed class Losses : ITrainingObserver
    {
        public List<double> Values { get; } = [];
        public void OnStep(StepMetrics metrics) => Values.Add(metrics.Loss);
    }

    private sealed class CancelAfter(int steps, CancellationTokenSource cancel, Losses inner) : ITrainingObserver
    {
        public void OnStep(StepMetrics metrics)
        {
            inner.OnStep(metrics);
            if (metrics.Step == steps) cancel.Cancel();
        }
    }

    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.equal(b).all().item<bool>();

    [Fact]
    public void Sparse_storage_holds_the_seeded_pattern_and_the_same_kept_values_as_the_masked_dense_layer()
    {
        using var dense = new TinyByteLm(32, seed: 3, options: Options(WeightStorage.Dense));
        using var sparse = new TinyByteLm(32, seed: 3, options: Options(WeightStorage.Sparse));
        var pairs = Masked(dense).Zip(Masked(sparse)).ToList();
        Assert.Equal(6, pairs.Count);
        foreach (var (d, s) in pairs)
        {
            Assert.False(d.IsSparseStorage);
            Assert.True(s.IsSparseStorage, s.Storage.Reason);
            using var mask = s.Pattern!.ToMask();
            Assert.True(Same(d.Mask!, mask), $"{s.Plan.Name}: another pattern than the seeded mask");
            using var ew = s.EffectiveWeight();
            using var dw = d.EffectiveWeight();
            Assert.True(Same(dw, ew), $"{s.Plan.Name}: other kept values");
            Assert.Equal((long)d.Mask!.sum().item<float>(), s.Values!.numel());
            Assert.Throws<InvalidOperationException>(() => s.Weight);
        }
        var state = sparse.state_dict();
        Assert.DoesNotContain(state.Keys, k => k.EndsWith("mask", StringComparison.Ordinal));
        Assert.Contains("blocks.0.mlp.up.weight_values", state.Keys);
        Assert.Equal(ScalarType.Int32, state["blocks.0.mlp.up.weight_columns"].dtype);
    }

    [Fact]
    public void Two_hundred_steps_with_SAT_on_both_paths_give_losses_within_1e_4_relative()
    {
        // Both runs use the same data, draws and SAT ladder; they differ only in the order float32 sums are added.
        var settings = new TrainerSettings { Steps = 200 };
        var dense = new Losses();
        var sparse = new Losses();
        using (var model = new TinyByteLm(32, seed: 4, options: Options(WeightStorage.Dense)))
        using (var trainer = model.CreateTrainer(settings, Batches()))
            trainer.Run(dense);
        using (var model = new TinyByteLm(32, seed: 4, options: Options(WeightStorage.Sparse)))
        using (var trainer = model.CreateTrainer(settings, Batches()))
        {
            Assert.Contains(trainer.Omissions, o => o.Declared.Schedule.InitialRate > 0);
            trainer.Run(sparse);
        }
        Assert.Equal(200, sparse.Values.Count);
        Assert.True(dense.Values[^1] < dense.Values[0] - 1, "the run should learn");
        for (int i = 0; i < 200; i++)
            Assert.True(Math.Abs(dense.Values[i] - sparse.Values[i]) <= 1e-4 * Math.Abs(dense.Values[i]),
                $"step {i + 1}: dense {dense.Values[i]:R}, sparse {sparse.Values[i]:R}");
    }

    [Fact]
    public void A_masked_position_has_no_value_gradient_or_moment_on_the_sparse_path()
    {
        using var model = new TinyByteLm(32, seed: 6, options: Options(WeightStorage.Sparse, sparsity: 0.75));
        using var trainer = model.CreateTrainer(new TrainerSettings { Steps = 5, Acceleration = SparsityAcceleration.Off }, Batches());
        trainer.Run(new Losses());
        var states = AdamWArithmetic.States(trainer.Optimizer).ToDictionary(e => e.Parameter.Handle);
        foreach (var layer in Masked(model))
        {
            long kept = layer.Pattern!.Count;
            Assert.Equal(kept, layer.Values!.numel());
            var state = states[layer.Values.Handle].State;
            Assert.Equal(kept, state.exp_avg.numel());
            Assert.Equal(kept, state.exp_avg_sq.numel());
            Assert.True(state.exp_avg_sq.gt(0).any().item<bool>(), $"{layer.Plan.Name} should have trained");
            // Scattered back, every position off the pattern is exactly zero.
            using var dense = layer.EffectiveWeight();
            using var mask = layer.Pattern.ToMask();
            Assert.Equal(0f, dense.masked_select(mask.eq(0)).abs().sum().item<float>());
        }
        // Every moment in the optimizer belongs to a trained tensor of the same size: nothing dense hides elsewhere.
        long moments = states.Values.Sum(s => s.State.exp_avg.numel());
        long trained = model.ScaledParameters().Sum(p => p.Parameter.numel());
        Assert.Equal(trained, moments);
    }

    [Fact]
    public void SAT_on_sparse_storage_leaves_the_omitted_units_values_and_moments_untouched()
    {
        using var model = new TinyByteLm(32, seed: 7, options: Options(WeightStorage.Sparse, sparsity: 0.75));
        var half = new SparsityAcceleration(new LadderSchedule(0.5, 1, 1, 0));
        using var trainer = model.CreateTrainer(new TrainerSettings { Steps = 3, Acceleration = half, HeadAcceleration = half }, Batches());
        var before = Masked(model).ToDictionary(l => l, l => l.Values!.detach().clone());
        trainer.TrainStep();
        var states = AdamWArithmetic.States(trainer.Optimizer).ToDictionary(e => e.Parameter.Handle);
        int checkedLayers = 0;
        foreach (var block in trainer.Omissions.Where(o => o.IsOmitting))
            foreach (var (layer, role) in block.Projections)
            {
                using var slots = layer.KeptValueSlots(block.KeptIndices(layer)!, role);
                using var keptMask = zeros(layer.Pattern!.Count, ScalarType.Bool).index_fill_(0, slots, true);
                using var omitted = keptMask.logical_not();
                Assert.True(omitted.any().item<bool>());
                using var now = layer.Values!.detach();
                Assert.True(Same(before[layer].masked_select(omitted), now.masked_select(omitted)), $"{layer.Plan.Name}: an omitted value moved");
                Assert.False(Same(before[layer].masked_select(keptMask), now.masked_select(keptMask)), $"{layer.Plan.Name}: no kept value moved");
                var state = states[layer.Values.Handle].State;
                Assert.Equal(0f, state.exp_avg.masked_select(omitted).abs().sum().item<float>());
                Assert.Equal(0f, state.exp_avg_sq.masked_select(omitted).abs().sum().item<float>());
                checkedLayers++;
            }
        Assert.Equal(6, checkedLayers); // q, k, v, o of the head block; up, down of the MLP
        foreach (var t in before.Values) t.Dispose();
    }

    [Fact]
    public void An_expert_bank_with_sparse_experts_trains_as_on_the_dense_path()
    {
        var settings = new TrainerSettings { Steps = 30 };
        var dense = new Losses();
        var sparse = new Losses();
        using (var model = new TinyMoeLm(32, seed: 2, options: new ModelOptions { Depth = 1, Sparsity = 0.875, Storage = WeightStorage.Dense }))
        using (var trainer = model.CreateTrainer(settings, Batches()))
            trainer.Run(dense);
        using (var model = new TinyMoeLm(32, seed: 2, options: new ModelOptions { Depth = 1, Sparsity = 0.875, Storage = WeightStorage.Sparse }))
        {
            var experts = Masked(model);
            Assert.NotEmpty(experts);
            Assert.All(experts, l => Assert.True(l.IsSparseStorage, l.Storage.Reason));
            using var trainer = model.CreateTrainer(settings, Batches());
            trainer.Run(sparse);
        }
        for (int i = 0; i < settings.Steps; i++)
            Assert.True(Math.Abs(dense.Values[i] - sparse.Values[i]) <= 1e-4 * Math.Abs(dense.Values[i]),
                $"step {i + 1}: dense {dense.Values[i]:R}, sparse {sparse.Values[i]:R}");
    }

    [Fact]
    public void A_sparse_run_resumes_bit_for_bit_and_its_checkpoint_holds_only_the_kept_values()
    {
        var settings = new TrainerSettings { Steps = 6, CheckpointEvery = 3, CheckpointPath = Path.Combine(_folder, "run.sdsl") };
        var full = new Losses();
        using var fullModel = new TinyByteLm(32, seed: 8, options: Options(WeightStorage.Sparse));
        using (var trainer = fullModel.CreateTrainer(settings with { CheckpointPath = Path.Combine(_folder, "full.sdsl") }, Batches()))
            trainer.Run(full);

        // Interrupted after step 3 (cancellation checkpoints the last completed step), then resumed from the file alone.
        var first = new Losses();
        using var cancel = new CancellationTokenSource();
        using (var model = new TinyByteLm(32, seed: 8, options: Options(WeightStorage.Sparse)))
        using (var trainer = model.CreateTrainer(settings, Batches()))
            Assert.Throws<OperationCanceledException>(() => trainer.Run(new CancelAfter(3, cancel, first), cancel.Token));
        Assert.Equal(WeightStorage.Sparse, Checkpoint.ReadHeader(settings.CheckpointPath!).Recipe.Options.Storage);

        var second = new Losses();
        using (var resumed = TinyByteLm.Trainer.Resume(settings.CheckpointPath!, settings, Batches()))
        {
            Assert.All(Masked(resumed.Model), l => Assert.True(l.IsSparseStorage));
            resumed.Run(second);
            var expected = fullModel.state_dict();
            foreach (var (name, tensor) in resumed.Model.state_dict())
                Assert.True(Same(expected[name], tensor), $"{name} differs after resuming");
        }
        Assert.Equal(full.Values, first.Values.Concat(second.Values));

        // The same run on the dense path writes a larger checkpoint: weight, mask and two moments per position.
        using var denseModel = new TinyByteLm(32, seed: 8, options: Options(WeightStorage.Dense));
        string densePath = Path.Combine(_folder, "dense.sdsl");
        using (var trainer = denseModel.CreateTrainer(settings with { Steps = 3, CheckpointPath = densePath }, Batches()))
            trainer.Run(new Losses());
        Assert.True(new FileInfo(settings.CheckpointPath!).Length < new FileInfo(densePath).Length);
    }

    [Fact]
    public void A_checkpoint_written_before_sparse_storage_resumes_on_the_dense_masked_path()
    {
        var settings = new TrainerSettings { Steps = 4, CheckpointEvery = 2, CheckpointPath = Path.Combine(_folder, "old.sdsl") };
        using (var model = new TinyByteLm(32, seed: 9, options: new ModelOptions { Depth = 1, Sparsity = 0.875, Storage = WeightStorage.Dense }))
        using (var trainer = model.CreateTrainer(settings with { Steps = 2 }, Batches()))
            trainer.Run(new Losses());

        // An older build wrote the same header without the Storage option: blank it out (same length, still valid JSON).
        byte[] bytes = File.ReadAllBytes(settings.CheckpointPath!);
        byte[] property = System.Text.Encoding.UTF8.GetBytes(",\"storage\":\"Dense\"");
        int at = bytes.AsSpan().IndexOf(property);
        Assert.True(at > 0, "the header should record the storage");
        property.AsSpan().Fill((byte)' ');
        property.CopyTo(bytes, at);
        File.WriteAllBytes(settings.CheckpointPath!, bytes);
        Assert.Equal(WeightStorage.Dense, Checkpoint.ReadHeader(settings.CheckpointPath!).Recipe.Options.Storage);

        using var resumed = TinyByteLm.Trainer.Resume(settings.CheckpointPath!, settings, Batches());
        Assert.All(Masked(resumed.Model), l => Assert.False(l.IsSparseStorage));
        resumed.Run(new Losses());
        Assert.Equal(4, resumed.CompletedSteps);
    }

    [Fact]
    public void A_dense_mask_checkpoint_resumes_with_its_optimizer_into_a_sparse_stored_model()
    {
        // The masked path's moments are zero at masked positions, so taking them at the kept ones loses nothing: the
        // resumed sparse run continues the dense run, up to the order of float32 sums.
        var settings = new TrainerSettings { Steps = 6, CheckpointEvery = 3, CheckpointPath = Path.Combine(_folder, "dense.sdsl") };
        var dense = new Losses();
        using (var model = new TinyByteLm(32, seed: 12, options: Options(WeightStorage.Dense)))
        using (var trainer = model.CreateTrainer(settings with { CheckpointPath = Path.Combine(_folder, "full.sdsl") }, Batches()))
            trainer.Run(dense);
        // Interrupted after step 3 (cancellation checkpoints the last completed step), on the same schedule.
        using var cancel = new CancellationTokenSource();
        using (var model = new TinyByteLm(32, seed: 12, options: Options(WeightStorage.Dense)))
        using (var trainer = model.CreateTrainer(settings, Batches()))
            Assert.Throws<OperationCanceledException>(() => trainer.Run(new CancelAfter(3, cancel, new Losses()), cancel.Token));

        var resumed = new Losses();
        using (var model = new TinyByteLm(32, seed: 12, options: Options(WeightStorage.Sparse)))
        using (var trainer = model.CreateTrainer(settings, Batches()))
        {
            trainer.LoadCheckpoint(settings.CheckpointPath!);
            Assert.All(Masked(model), l => Assert.True(l.IsSparseStorage));
            Assert.Equal(3, trainer.CompletedSteps);
            trainer.Run(resumed);
        }
        Assert.Equal(3, resumed.Values.Count);
        for (int i = 0; i < 3; i++)
            Assert.True(Math.Abs(dense.Values[i + 3] - resumed.Values[i]) <= 1e-4 * Math.Abs(dense.Values[i + 3]),
                $"step {i + 4}: dense {dense.Values[i + 3]:R}, resumed sparse {resumed.Values[i]:R}");
    }

    [Fact]
    public void Automatic_dispatch_follows_the_measured_rule_and_says_why()
    {
        using var small = new TinyByteLm(32, options: Options(WeightStorage.Auto));
        Assert.All(Masked(small), l => Assert.Contains("weights <", l.Storage.Reason));

        var wide = new TinyByteLm(1024, options: Options(WeightStorage.Auto));
        using var _ = wide;
        Assert.All(Masked(wide), l => Assert.True(l.IsSparseStorage, l.Storage.Reason));
        using var half = new TinyByteLm(512, options: Options(WeightStorage.Auto, sparsity: 0.5));
        Assert.All(Masked(half), l => Assert.Contains("density 0.5 >", l.Storage.Reason));

        var plan = wide.Plan["blocks.0.mlp.up"];
        Assert.Contains("CPU only", SparseDispatch.Decide(plan with { Storage = WeightStorage.Sparse }, TorchSharp.DeviceType.CUDA).Reason);
        Assert.False(SparseDispatch.Decide(plan with { Storage = WeightStorage.Dense }, TorchSharp.DeviceType.CPU).IsSparse);
    }

    [Fact]
    public void A_model_built_off_the_CPU_takes_the_dense_masked_path_and_says_so_in_one_line()
    {
        // The meta device stands in for CUDA: any device other than the CPU has no sparse kernel.
        using var offCpu = new TinyByteLm(32, new Device("meta"), seed: 3, options: Options(WeightStorage.Sparse));
        Assert.All(Masked(offCpu), l => Assert.False(l.IsSparseStorage));
        Assert.Equal("Weight storage: 0 of 6 masked layers sparse (kept values and sparse kernels); dense masked: 6 the sparse kernels run on the CPU only, not on META.",
            SparseStorageNotice.Of(offCpu, waitPolicy: ""));
        using var onCpu = new TinyByteLm(32, seed: 3, options: Options(WeightStorage.Sparse));
        Assert.Equal("Weight storage: 6 of 6 masked layers sparse (kept values and sparse kernels).", SparseStorageNotice.Of(onCpu, waitPolicy: "PASSIVE"));
        // Sparse layers with OpenMP's spinning default: the line says what to set, since it is not the default.
        Assert.EndsWith("set OMP_WAIT_POLICY=PASSIVE (GptLm width 512, 87.5%, 2 cores: 1.51x over dense instead of 1.16x; docs/performance.md section 6).",
            SparseStorageNotice.Of(onCpu, waitPolicy: ""));
        using var dense = new TinyByteLm(32, seed: 3, options: new ModelOptions { Depth = 1, Sparsity = 0 });
        Assert.Null(SparseStorageNotice.Of(dense));
    }

    [Fact]
    public void The_wait_policy_is_left_alone_once_libtorch_has_loaded_its_OpenMP()
    {
        _ = get_num_threads(); // libtorch, and with it GNU OpenMP, is loaded now
        string? before = Environment.GetEnvironmentVariable(OpenMpWaitPolicy.Variable);
        var outcome = OpenMpWaitPolicy.PreferPassive();
        Assert.Equal(before is null ? OpenMpWaitOutcome.TooLate : OpenMpWaitOutcome.KeptUserSetting, outcome);
        Assert.Equal(before, Environment.GetEnvironmentVariable(OpenMpWaitPolicy.Variable));
    }
}
