namespace SparseDsl.Tests.Checkpoints;

/// <summary>Every kind of bad file is refused with a one-line message that names the file and the problem.</summary>
[Collection(GlobalRngCollection.Name)]
public class CheckpointValidationTests
{
    private static byte[] ValidCheckpoint(TempFolder folder)
    {
        string path = folder.File("valid.ckpt");
        using var run = new SmallRun(seed: 5);
        run.Step(batch: 0);
        Checkpoint.Save(path, run.Header(), run.Model, run.Optimizer);
        return File.ReadAllBytes(path);
    }

    private static InvalidDataException AssertRefused(string path, string problem)
    {
        using var target = new SmallRun(seed: 99);
        var before = target.Snapshot();
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path, target.Model, target.Optimizer));
        Assert.Contains(path, e.Message);
        Assert.Contains(problem, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        SmallRun.AssertSameState(before, target.Model.state_dict()); // refused before anything was overwritten
        return e;
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.001)]
    [InlineData(0.5)]
    [InlineData(0.9999)]
    public void A_truncated_file_is_refused(double keptFraction)
    {
        using var folder = new TempFolder();
        byte[] bytes = ValidCheckpoint(folder);
        string path = folder.File("cut.ckpt");
        File.WriteAllBytes(path, bytes[..(int)(bytes.Length * keptFraction)]);

        AssertRefused(path, "truncated");
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.ReadHeader(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void A_file_of_garbage_is_refused()
    {
        using var folder = new TempFolder();
        string path = folder.File("garbage.ckpt");
        var bytes = new byte[4096];
        new Random(1).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);

        AssertRefused(path, "not a SparseDsl checkpoint");
    }

    [Fact]
    public void A_file_with_the_wrong_magic_is_refused()
    {
        using var folder = new TempFolder();
        byte[] bytes = ValidCheckpoint(folder);
        bytes[0] = (byte)'X';
        string path = folder.File("magic.ckpt");
        File.WriteAllBytes(path, bytes);

        AssertRefused(path, "does not start with SDSLCKPT");
    }

    [Fact]
    public void A_file_of_another_format_version_is_refused()
    {
        using var folder = new TempFolder();
        byte[] bytes = ValidCheckpoint(folder);
        BitConverter.TryWriteBytes(bytes.AsSpan(8, 4), CheckpointHeader.CurrentFormatVersion + 1);
        string path = folder.File("future.ckpt");
        File.WriteAllBytes(path, bytes);

        AssertRefused(path, $"format version {CheckpointHeader.CurrentFormatVersion + 1}");
    }

    [Fact]
    public void A_file_with_a_damaged_end_marker_is_refused()
    {
        using var folder = new TempFolder();
        byte[] bytes = ValidCheckpoint(folder);
        bytes[^1] ^= 0xFF;
        string path = folder.File("end.ckpt");
        File.WriteAllBytes(path, bytes);

        AssertRefused(path, "end marker");
    }

    [Fact]
    public void A_missing_file_is_FileNotFound_with_its_path()
    {
        using var folder = new TempFolder();
        string path = folder.File("absent.ckpt");
        using var run = new SmallRun(seed: 5);
        var e = Assert.Throws<FileNotFoundException>(() => Checkpoint.Load(path, run.Model, run.Optimizer));
        Assert.Equal(path, e.FileName);
        Assert.Contains(path, e.Message);
        Assert.Throws<FileNotFoundException>(() => Checkpoint.ReadHeader(path));
    }

    [Fact]
    public void A_checkpoint_of_a_wider_model_names_the_first_tensor_that_differs()
    {
        using var folder = new TempFolder();
        string path = folder.File("wide.ckpt");
        using (var wide = new SmallRun(seed: 5, width: 48))
            Checkpoint.Save(path, wide.Header(), wide.Model, wide.Optimizer);

        var e = AssertRefused(path, "does not fit this model");
        Assert.Matches(@"'[\w.]+' with shape \[\d+(, \d+)*\], this model with \[\d+(, \d+)*\]", e.Message);
    }

    [Fact]
    public void A_checkpoint_of_a_deeper_model_names_a_tensor_this_model_lacks()
    {
        using var folder = new TempFolder();
        string path = folder.File("deep.ckpt");
        using (var deep = new SmallRun(seed: 5, new ModelOptions { Depth = 2, Sparsity = 0.75 }))
            Checkpoint.Save(path, deep.Header(), deep.Model, deep.Optimizer);

        AssertRefused(path, "it has 'blocks.1.");
    }
}
