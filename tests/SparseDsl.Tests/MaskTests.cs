using static TorchSharp.torch;

namespace SparseDsl.Tests;

public class MaskTests
{
    private static bool Same(Tensor a, Tensor b)
    {
        if (!a.shape.SequenceEqual(b.shape)) return false;
        using var eq = a.eq(b);
        using var all = eq.all();
        return all.item<bool>();
    }

    [Fact]
    public void Same_seed_gives_identical_masks_and_weights_and_another_seed_does_not()
    {
        using var a = new ProbeModel(128, seed: 42);
        using var b = new ProbeModel(128, seed: 42);
        using var c = new ProbeModel(128, seed: 43);
        Assert.True(Same(a.Hidden.Mask!, b.Hidden.Mask!));
        Assert.True(Same(a.Hidden.Weight, b.Hidden.Weight));
        Assert.False(Same(a.Hidden.Mask!, c.Hidden.Mask!));
    }

    [Fact]
    public void Layers_get_independent_masks()
    {
        using var model = new ProbeModel(128, seed: 1, options: new ModelOptions { Sparsity = 0.5 });
        Assert.False(Same(model.Hidden.Mask!, model.Down.Mask!.narrow(1, 0, 128)));
    }

    [Fact]
    public void Masked_entries_stay_exactly_zero_after_AdamW_steps_with_weight_decay()
    {
        using var model = new ProbeModel(64, seed: 9, options: new ModelOptions { Sparsity = 0.9 });
        using var optimizer = model.CreateAdamW(new AdamWSettings { LearningRate = 0.05, WeightDecay = 0.5 });
        var random = new Random(0);
        for (int step = 0; step < 25; step++)
        {
            using var scope = NewDisposeScope();
            var ids = randint(0, 100, [16, 4], dtype: ScalarType.Int64);
            var targets = randint(0, 10, [16], dtype: ScalarType.Int64);
            var loss = nn.functional.cross_entropy(model.call(ids), targets);
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
        }
        foreach (var layer in new[] { model.Hidden, model.Down })
        {
            using var offMask = layer.Mask!.eq(0);
            using var leaked = layer.Weight.detach().masked_select(offMask);
            Assert.Equal(0f, leaked.abs().max().item<float>());
            using var effective = layer.EffectiveWeight();
            Assert.True(Same(effective, layer.Weight.detach()));
            // ...and the kept weights did train.
            using var onMask = layer.Mask!.eq(1);
            Assert.True(layer.Weight.grad is not null);
        }
    }

    [Fact]
    public void Masks_are_saved_in_the_state_dict_and_restored()
    {
        using var a = new ProbeModel(64, seed: 1);
        using var b = new ProbeModel(64, seed: 2);
        var state = a.state_dict();
        Assert.Contains("hidden.mask", state.Keys);
        Assert.Contains("down.mask", state.Keys);
        Assert.DoesNotContain("up.mask", state.Keys);

        string path = Path.Combine(Path.GetTempPath(), $"sparsedsl-{Guid.NewGuid():N}.bin");
        try
        {
            a.save(path);
            b.load(path);
            Assert.True(Same(a.Hidden.Mask!, b.Hidden.Mask!));
            Assert.True(Same(a.Hidden.Weight, b.Hidden.Weight));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_density_that_keeps_no_weight_is_an_error()
    {
        var e = Assert.Throws<ArgumentException>(() => new ProbeModel(64, options: new ModelOptions { Sparsity = 0.99999 }));
        Assert.Contains("keeps no weight", e.Message);
    }
}
