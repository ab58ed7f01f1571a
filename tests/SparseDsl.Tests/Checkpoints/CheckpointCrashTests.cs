namespace SparseDsl.Tests.Checkpoints;

/// <summary>A save that dies part way leaves the previous checkpoint whole and no debris beside it.</summary>
[Collection(GlobalRngCollection.Name)]
public class CheckpointCrashTests
{
    [Theory]
    [InlineData(0L)]        // before the magic
    [InlineData(100L)]      // inside the header
    [InlineData(50_000L)]   // inside the model state
    public void A_save_that_fails_part_way_keeps_the_previous_checkpoint(long failAfterBytes)
    {
        using var folder = new TempFolder();
        string path = folder.File("run.ckpt");
        using var run = new SmallRun(seed: 5);
        run.Step(batch: 0);
        Checkpoint.Save(path, run.Header(), run.Model, run.Optimizer);
        var atSave = run.Snapshot();

        run.Step(batch: 1);
        var e = Assert.Throws<IOException>(() =>
            Checkpoint.Save(path, run.Header(), run.Model, run.Optimizer, stream => new FailingStream(stream, failAfterBytes)));
        Assert.StartsWith("Simulated failure", e.Message);

        Assert.Equal(["run.ckpt"], folder.Files());
        using var restored = new SmallRun(seed: 99);
        Assert.Equal(1, Checkpoint.Load(path, restored.Model, restored.Optimizer).Step);
        SmallRun.AssertSameState(atSave, restored.Model.state_dict());
    }
}
