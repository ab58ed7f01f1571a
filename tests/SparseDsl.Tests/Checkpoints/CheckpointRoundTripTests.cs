using static TorchSharp.torch;

namespace SparseDsl.Tests.Checkpoints;

/// <summary>
/// A loaded checkpoint continues training exactly as the saved run would have: bit for bit on the CPU, since both run on
/// this machine in this process (the same kernels in the same order); nothing is compared with another machine's numbers.
/// On another device (<see cref="TestDevice"/>) the continued step is compared to float32 tolerance.
/// </summary>
[Collection(GlobalRngCollection.Name)]
public class CheckpointRoundTripTests
{
    [Fact]
    public void A_loaded_checkpoint_restores_weights_masks_and_Adam_state_so_the_next_step_is_identical()
    {
        using var folder = new TempFolder();
        string path = folder.File("run.ckpt");
        using var saved = new SmallRun(seed: 5);
        for (int batch = 0; batch < 3; batch++) saved.Step(batch);
        Checkpoint.Save(path, saved.Header(), saved.Model, saved.Optimizer);

        using var resumed = new SmallRun(seed: 99);
        Assert.False(SmallRun.Same(saved.Model.state_dict()["blocks.0.mlp.up.mask"], resumed.Model.state_dict()["blocks.0.mlp.up.mask"]),
            "the other seed should draw other masks, or the test proves nothing about masks");
        var header = Checkpoint.Load(path, resumed.Model, resumed.Optimizer);

        Assert.Equal(3, header.Step);
        SmallRun.AssertSameState(saved.Model.state_dict(), resumed.Model.state_dict());
        Assert.Contains(resumed.Model.state_dict().Keys, name => name.EndsWith(".mask", StringComparison.Ordinal));

        // Fresh Adam moments and step count would give a different update: only a restored optimizer matches.
        float savedLoss = saved.Step(batch: 3);
        float resumedLoss = resumed.Step(batch: 3);
        TestDevice.AssertSameLoss(savedLoss, resumedLoss);
        SmallRun.AssertSameState(saved.Model.state_dict(), resumed.Model.state_dict());
    }

    [Fact]
    public void Loading_restores_the_global_RNG_to_where_it_was_at_save_time()
    {
        // The CPU's generator, on every device: it is the one a checkpoint must restore for CPU-side draws.
        using var folder = new TempFolder();
        string path = folder.File("run.ckpt");
        using var run = new SmallRun(seed: 5);
        Checkpoint.Save(path, run.Header(), run.Model, run.Optimizer);
        using var expected = rand(5);
        rand(100).Dispose();

        Checkpoint.Load(path, run.Model, run.Optimizer);

        using var actual = rand(5);
        Assert.True(SmallRun.Same(expected, actual), $"{expected.ToString(TorchSharp.TensorStringStyle.Julia)} vs {actual.ToString(TorchSharp.TensorStringStyle.Julia)}");
    }

    [Fact]
    public void An_optimizer_that_has_not_stepped_yet_saves_and_loads()
    {
        // TorchSharp's AdamW creates its zero moments when built, so there is state to save before the first step.
        using var folder = new TempFolder();
        string path = folder.File("run.ckpt");
        using var saved = new SmallRun(seed: 5);
        Checkpoint.Save(path, saved.Header(), saved.Model, saved.Optimizer);

        using var resumed = new SmallRun(seed: 99);
        Assert.Equal(0, Checkpoint.Load(path, resumed.Model, resumed.Optimizer).Step);

        TestDevice.AssertSameLoss(saved.Step(batch: 0), resumed.Step(batch: 0));
        SmallRun.AssertSameState(saved.Model.state_dict(), resumed.Model.state_dict());
    }

    [Fact]
    public void A_checkpoint_without_optimizer_state_loads_into_a_model_alone_but_not_into_an_optimizer()
    {
        using var folder = new TempFolder();
        string path = folder.File("weights.ckpt");
        using var saved = new SmallRun(seed: 5);
        saved.Step(batch: 0);
        Checkpoint.Save(path, saved.Header(), saved.Model, optimizer: null);

        using var restored = new SmallRun(seed: 99);
        Checkpoint.Load(path, restored.Model, optimizer: null);
        SmallRun.AssertSameState(saved.Model.state_dict(), restored.Model.state_dict());

        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path, restored.Model, restored.Optimizer));
        Assert.Contains(path, e.Message);
        Assert.Contains("no optimizer state", e.Message);
    }

    [Fact]
    public void A_full_checkpoint_loads_into_a_model_without_its_optimizer()
    {
        using var folder = new TempFolder();
        string path = folder.File("run.ckpt");
        using var saved = new SmallRun(seed: 5);
        saved.Step(batch: 0);
        Checkpoint.Save(path, saved.Header(), saved.Model, saved.Optimizer);

        using var sampler = new SmallRun(seed: 99);
        Checkpoint.Load(path, sampler.Model, optimizer: null);
        SmallRun.AssertSameState(saved.Model.state_dict(), sampler.Model.state_dict());
    }
}
