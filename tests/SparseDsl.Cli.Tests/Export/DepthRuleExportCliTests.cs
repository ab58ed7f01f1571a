using SparseDsl.Experiments.Training;
using SparseDsl.Export;
using static SparseDsl.Tests.CliRun;

namespace SparseDsl.Tests.Export;

/// <summary><c>train</c> under a depth rule, then <c>export</c>: the plain export is written, <c>--fold</c> is refused.</summary>
public sealed class DepthRuleExportCliTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Export_fold_of_a_checkpoint_trained_under_a_depth_rule_exits_2_and_the_unfolded_export_works()
    {
        string run = _folder.File("run");
        var train = Invoke("train", "--width", "32", "--depth", "3", "--batch", "2", "--context", "16", "--steps", "2", "--sample-length", "0",
            "--depth-rule", "depth-mup", "--device", "cpu", "--out", run);
        Assert.True(train.Code == 0, train.Error);
        string checkpoint = Path.Combine(run, TrainingJob.CheckpointFile);
        string folded = _folder.File("f.safetensors"), plain = _folder.File("u.safetensors");

        var fold = Invoke("export", "--checkpoint", checkpoint, "--out", folded, "--fold");
        Assert.True(fold.Code == ExitCodes.BadInput, $"exit {fold.Code}: {fold.Error}");
        Assert.Contains("--fold cannot fold depth rule depth-mup", fold.Error);
        Assert.Single(fold.Error.TrimEnd().Split('\n'));
        Assert.False(File.Exists(folded));

        var export = Invoke("export", "--checkpoint", checkpoint, "--out", plain);
        Assert.True(export.Code == 0, export.Error);
        Assert.Equal("depth-mup", SafeTensors.Open(plain).Metadata[ExportMetadata.DepthRule]);
    }
}
