using SparseDsl.Tests.SmallModels;
using static TorchSharp.torch;

namespace SparseDsl.Tests.Training;

/// <summary>
/// A generated block model (<see cref="TinyByteLm"/>) trained and reloaded: exact masks after AdamW with decay, module
/// save and load, and width, depth and per-layer sparsity set at run time.
/// </summary>
public class SparseTrainingTests
{
    private static bool Same(Tensor a, Tensor b) => TestDevice.Same(a, b);

    private static List<ScaledLinear> SparseLayers(nn.Module model) =>
        model.modules().OfType<ScaledLinear>().Where(l => l.Plan.IsMasked).ToList();

    /// <summary>Plain AdamW steps on next-byte cross-entropy at each group's SμPar LR (no schedule, no clipping).</summary>
    private static float[] Train(TinyByteLm model, int steps, double lr = 1.62e-2, double weightDecay = 0.1, int seed = 0)
    {
        using var optimizer = model.CreateAdamW(new AdamWSettings { LearningRate = lr, WeightDecay = weightDecay });
        var batches = TinyText.Batches(8, 32, seed);
        var losses = new float[steps];
        for (int step = 0; step < steps; step++)
        {
            using var scope = NewDisposeScope();
            var (inputs, targets) = batches.TrainingBatch(step + 1, 0, TestDevice.Current);
            var loss = LanguageModelLoss.NextToken(model.call(inputs), targets);
            Gradients.Zero(optimizer);
            loss.backward();
            optimizer.step();
            losses[step] = loss.item<float>();
        }
        return losses;
    }

    [Fact]
    public void Masked_entries_never_leak_after_AdamW_steps_with_weight_decay()
    {
        using var model = new TinyByteLm(32, TestDevice.Current, seed: 2, options: new ModelOptions { Sparsity = 0.9, Depth = 1 });
        var layers = SparseLayers(model);
        Assert.Equal(6, layers.Count); // q, k, v, o, up, down
        using var before = layers[0].Weight.detach().clone();
        Train(model, 15, lr: 0.05, weightDecay: 0.5);
        foreach (var layer in layers)
        {
            using var offMask = layer.Mask!.eq(0);
            using var leaked = layer.Weight.detach().masked_select(offMask);
            Assert.Equal(0f, leaked.abs().max().item<float>());
            Assert.Equal((long)Math.Round(0.1 * layer.Mask.numel()), layer.Mask.sum().item<float>(), 0.0);
        }
        Assert.False(Same(before, layers[0].Weight.detach()), "the kept weights should have trained");
    }

    // Bit for bit on the CPU, because the saved and the restored model run in this process on this machine (to float32
    // tolerance on another device: TestDevice).
    [Fact]
    public void A_checkpoint_restores_weights_and_masks_into_a_model_built_from_another_seed()
    {
        string path = Path.Combine(Path.GetTempPath(), $"sparsedsl-tiny-{Guid.NewGuid():N}.bin");
        try
        {
            using var trained = new TinyByteLm(32, TestDevice.Current, seed: 5, options: new ModelOptions { Depth = 1, Sparsity = 0.75 });
            Train(trained, 5);
            trained.save(path);

            using var restored = new TinyByteLm(32, TestDevice.Current, seed: 99, options: new ModelOptions { Depth = 1, Sparsity = 0.75 });
            Assert.False(Same(trained.Blocks[0].Mlp.Up.Mask!, restored.Blocks[0].Mlp.Up.Mask!));
            restored.load(path);

            var expected = trained.state_dict();
            foreach (var (name, tensor) in restored.state_dict())
                Assert.True(Same(tensor, expected[name]), $"{name} differs after load");
            Assert.Contains("blocks.0.mlp.up.mask", expected.Keys);
            using var ids = randint(0, TinyByteLm.Vocab, [2, 16], dtype: ScalarType.Int64, device: TestDevice.Current);
            trained.eval(); restored.eval();
            using var a = trained.call(ids);
            using var b = restored.call(ids);
            Assert.True(Same(a, b));
            // embed, the final norm's gain and bias, and per block 2 norm gains + 6 sparse weights + their 6 masks: no
            // duplicates, no tied copy.
            Assert.Equal(17, expected.Count);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Width_depth_and_per_layer_sparsity_are_set_at_run_time()
    {
        using var model = new TinyByteLm(48, TestDevice.Current, seed: 1, options: new ModelOptions
        {
            Depth = 3,
            Sparsity = 0.5,
            LayerSparsity = new Dictionary<string, double> { ["mlp.down"] = 0.75, ["blocks.2.attention.query"] = 0.875 },
        });
        Assert.Equal(3, model.Blocks.Count);
        Assert.Equal(3, model.Plan.DepthOf("blocks"));
        Assert.Equal(0.75, model.Plan["blocks.1.mlp.down"].Sparsity);
        Assert.Equal(0.5, model.Plan["blocks.1.mlp.up"].Sparsity);
        Assert.Equal(0.875, model.Plan["blocks.2.attention.query"].Sparsity);
        Assert.Equal(0.5, model.Plan["blocks.1.attention.query"].Sparsity);
        Assert.Equal(48 * 2, model.Blocks[2].Mlp.Up.Weight.shape[0]);

        // Each density is its own learning-rate group: 1/(m_d·ρ) for ρ = 0.5, 0.25, 0.125, plus the dense base-LR groups.
        var groups = ScaledOptimizers.ParameterGroups(model, new AdamWSettings());
        double md = 48.0 / 16;
        foreach (double rho in new[] { 0.5, 0.25, 0.125 })
            Assert.Contains(groups, g => Math.Abs(g.LearningRateMultiplier - 1 / (md * rho)) < 1e-12);
    }

    [Theory]
    [InlineData("blocks.0.mlp_norm", "which takes no sparsity")]
    [InlineData("nope", "no layer 'nope'")]
    public void Bad_overrides_are_clear_errors(string key, string message)
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => new TinyByteLm(32, options: new ModelOptions { LayerSparsity = new Dictionary<string, double> { [key] = 0.5 } }));
        Assert.Contains(message, e.Message);
    }
}
