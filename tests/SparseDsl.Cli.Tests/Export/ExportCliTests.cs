using SparseDsl.Examples.Cli;
using SparseDsl.Experiments.Training;
using SparseDsl.Export;
using static TorchSharp.torch;
using static SparseDsl.Tests.CliRun;

namespace SparseDsl.Tests.Export;

/// <summary>train → export → import → sample through the CLI, and bad exports refused with one error line and exit code 2.</summary>
public sealed class ExportCliTests : IDisposable
{
    private readonly TempFolder _folder = new("sparsedsl-export-");

    public void Dispose() => _folder.Dispose();

    private string In(string name) => _folder.File(name);

    private string Trained(params string[] extra)
    {
        string run = In("run");
        var train = Invoke(["train", "--width", "32", "--depth", "1", "--batch", "2", "--context", "16", "--steps", "3", "--sample-length", "0", "--out", run, .. extra]);
        Assert.True(train.Code == 0, train.Error);
        return Path.Combine(run, TrainingJob.CheckpointFile);
    }

    [Fact]
    public void Export_then_import_gives_back_a_checkpoint_that_samples_the_same_text()
    {
        string checkpoint = Trained();
        string weights = In("model.safetensors"), folded = In("model.folded.safetensors"), imported = In("imported.sdsl");
        var export = Invoke("export", "--checkpoint", checkpoint, "--out", weights);
        Assert.True(export.Code == 0, export.Error);
        Assert.Contains("tokenizer bytes, multipliers in the metadata", export.Output);
        var fold = Invoke("export", "--checkpoint", checkpoint, "--out", folded, "--fold");
        Assert.True(fold.Code == 0, fold.Error);
        Assert.Contains("multipliers folded into the weights", fold.Output);
        Assert.Equal("3", SafeTensors.Open(weights).Metadata[ExportCommand.StepKey]);

        var import = Invoke("import", "--weights", weights, "--out", imported);
        Assert.True(import.Code == 0, import.Error);
        Assert.Equal(3, Checkpoint.ReadHeader(imported).Step);
        string[] sample = ["sample", "--prompt", "The Union ", "--sample-length", "40", "--sample-seed", "3"];
        var original = Invoke([.. sample, "--checkpoint", checkpoint]);
        var again = Invoke([.. sample, "--checkpoint", imported]);
        Assert.True(original.Code == 0 && again.Code == 0, original.Error + again.Error);
        Assert.Equal(original.Output, again.Output);

        AssertBadInput(Invoke("import", "--weights", folded, "--out", In("folded.sdsl")), "is a folded export");
        AssertBadInput(Invoke("import", "--weights", weights, "--out", imported), "exists; import writes a new checkpoint");
    }

    [Fact]
    public void A_sparse_stored_checkpoint_exports_dense_by_default_and_as_csr_with_sparse_pattern_and_both_import()
    {
        string checkpoint = Trained("--sparsity", "0.875", "--storage", "sparse");
        string dense = In("dense.safetensors"), pattern = In("pattern.safetensors");
        var export = Invoke("export", "--checkpoint", checkpoint, "--out", dense);
        Assert.True(export.Code == 0, export.Error);
        Assert.Contains("blocks.0.mlp.up.mask", SafeTensors.Open(dense).Entries.Select(e => e.Name));
        export = Invoke("export", "--checkpoint", checkpoint, "--out", pattern, "--sparse-pattern");
        Assert.True(export.Code == 0, export.Error);
        Assert.Matches(@"\d+ sparse-stored weights as CSR values and indices", export.Output);
        Assert.Contains("blocks.0.mlp.up.weight_values", SafeTensors.Open(pattern).Entries.Select(e => e.Name));
        Assert.True(new FileInfo(pattern).Length < new FileInfo(dense).Length, "the CSR file is not smaller");

        string[] sample = ["sample", "--prompt", "The Union ", "--sample-length", "30", "--sample-seed", "3"];
        var original = Invoke([.. sample, "--checkpoint", checkpoint]);
        Assert.True(original.Code == 0, original.Error);
        foreach (var (weights, name) in new[] { (dense, "from-dense.sdsl"), (pattern, "from-pattern.sdsl") })
        {
            var import = Invoke("import", "--weights", weights, "--out", In(name));
            Assert.True(import.Code == 0, import.Error);
            var again = Invoke([.. sample, "--checkpoint", In(name)]);
            Assert.True(again.Code == 0, again.Error);
            Assert.Equal(original.Output, again.Output);
        }
        AssertBadInput(Invoke("export", "--checkpoint", checkpoint, "--out", In("both.safetensors"), "--fold", "--sparse-pattern"), "--fold and --sparse-pattern do not go together");
        Assert.False(File.Exists(In("both.safetensors")));
    }

    [Fact]
    public void Missing_or_misshaped_tensors_and_bad_files_are_refused_with_exit_code_2()
    {
        string checkpoint = Trained();
        string weights = In("model.safetensors");
        Assert.Equal(0, Invoke("export", "--checkpoint", checkpoint, "--out", weights).Code);
        var file = SafeTensors.Open(weights);
        var tensors = file.Entries.Select(e => (e.Name, file.Read(e.Name))).ToList();

        string missing = In("missing.safetensors");
        SafeTensors.Write(missing, tensors.Where(t => t.Name != "final_norm.weight").ToList(), file.Metadata);
        AssertBadInput(Invoke("import", "--weights", missing, "--out", In("a.sdsl")), "lacks tensor 'final_norm.weight' (F32 [32]), which the model has");

        string misshaped = In("misshaped.safetensors");
        SafeTensors.Write(misshaped, tensors.Select(t => t.Name == "embed.weight" ? (t.Name, zeros(256, 31)) : t).ToList(), file.Metadata);
        AssertBadInput(Invoke("import", "--weights", misshaped, "--out", In("b.sdsl")), "stores 'embed.weight' as F32 [256, 31], but the model's is F32 [256, 32]");

        string text = In("text.safetensors");
        File.WriteAllText(text, "hello");
        AssertBadInput(Invoke("import", "--weights", text, "--out", In("c.sdsl")), "is too short to be a safetensors file");
        AssertBadInput(Invoke("import", "--weights", In("none.safetensors"), "--out", In("d.sdsl")), "does not exist");
        AssertBadInput(Invoke("export", "--checkpoint", checkpoint, "--out", In("e.onnx"), "--format", "onnx"), "--format expects safetensors, got 'onnx'.");
        AssertBadInput(Invoke("export", "--checkpoint", In("none.sdsl"), "--out", In("f.safetensors")), "none.sdsl");
        foreach (string name in new[] { "a.sdsl", "b.sdsl", "c.sdsl", "d.sdsl", "e.onnx", "f.safetensors" })
            Assert.False(File.Exists(In(name)), $"{name} was written");
    }
}
