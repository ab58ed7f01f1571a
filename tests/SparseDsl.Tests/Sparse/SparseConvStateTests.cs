using SparseDsl.Export;
using SparseDsl.Tests.Kinds;
using static TorchSharp.torch;

namespace SparseDsl.Tests.Sparse;

/// <summary>
/// A sparse-stored convolution's state outside the process: checkpoints resume bit for bit, a checkpoint written on the
/// dense masked path loads into a sparse model (its AdamW moments too), the default export is the masked-dense model's file, and the pattern
/// export records the real 4-D shape and loads into either storage.
/// </summary>
public sealed class SparseConvStateTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static TinyConvNet Model(WeightStorage storage, long seed = 3) =>
        new(32, seed: seed, options: new ModelOptions { Sparsity = 0.875, Storage = storage });

    private static bool Same(Tensor a, Tensor b) => a.dtype == b.dtype && a.shape.SequenceEqual(b.shape) && a.equal(b).all().item<bool>();

    private static void AssertSameState(nn.Module expected, nn.Module actual)
    {
        var want = expected.state_dict();
        var got = actual.state_dict();
        Assert.Equal(want.Keys.Order(), got.Keys.Order());
        foreach (var (name, tensor) in want) Assert.True(Same(tensor, got[name]), $"'{name}' differs");
    }

    private string Save(ConvTraining run, string name, int steps)
    {
        string path = _folder.File(name);
        Checkpoint.Save(path, new CheckpointHeader(run.Model.Recipe, steps, "{}", DateTimeOffset.UnixEpoch), run.Model, run.Optimizer);
        return path;
    }

    [Fact]
    public void A_sparse_convolution_checkpoint_resumes_bit_for_bit_into_a_model_drawn_with_another_seed()
    {
        using var saved = new ConvTraining(WeightStorage.Sparse, seed: 5);
        for (int i = 0; i < 3; i++) saved.Step(i);
        string path = Save(saved, "sparse.ckpt", 3);

        using var resumed = new ConvTraining(TinyConvNet.FromRecipe(saved.Model.Recipe with { Seed = saved.Model.Recipe.Seed + 94 }));
        Assert.True(resumed.Model.Hidden.IsSparseStorage);
        Assert.False(Same(saved.Model.Hidden.Pattern!.Column, resumed.Model.Hidden.Pattern!.Column), "the other seed drew the same pattern: loading it would go untested");
        Checkpoint.Load(path, resumed.Model, resumed.Optimizer);
        AssertSameState(saved.Model, resumed.Model);
        Assert.Equal(saved.Step(3), resumed.Step(3));
        AssertSameState(saved.Model, resumed.Model);
    }

    [Fact]
    public void A_dense_mask_checkpoint_loads_into_a_sparse_model_and_resumes_there_with_its_moments()
    {
        using var dense = new ConvTraining(WeightStorage.Dense, seed: 5);
        for (int i = 0; i < 3; i++) dense.Step(i);
        string path = Save(dense, "dense.ckpt", 3);
        using var expected = dense.Logits();

        // Without an optimizer, the saved mask becomes the pattern and the saved weight the kept values.
        using var sparse = Model(WeightStorage.Sparse, seed: 11);
        Checkpoint.Load(path, sparse, optimizer: null);
        Assert.True(sparse.Hidden.IsSparseStorage);
        using var denseWeight = dense.Model.Hidden.EffectiveWeight();
        using var loadedWeight = sparse.Hidden.EffectiveWeight();
        Assert.True(Same(denseWeight, loadedWeight), "the loaded kept values differ from the saved weight");
        using var mask = sparse.Hidden.Pattern!.ToMask();
        Assert.True(Same(dense.Model.Hidden.Mask!.reshape(mask.shape), mask), "the pattern is not the saved mask");
        using var logits = ConvTraining.LogitsOf(sparse);
        Assert.True(expected.allclose(logits, rtol: 1e-5, atol: 1e-6), "the loaded sparse model computes other logits");

        // With an AdamW, the dense moments are taken at the kept positions (elsewhere they are zero on the masked path).
        using var resumed = new ConvTraining(Model(WeightStorage.Sparse, seed: 9));
        Checkpoint.Load(path, resumed.Model, resumed.Optimizer);
        var values = resumed.Model.Hidden.Values!;
        var moments = AdamWArithmetic.States(resumed.Optimizer).Single(s => ReferenceEquals(s.Parameter, values)).State;
        var denseMoments = AdamWArithmetic.States(dense.Optimizer).Single(s => s.Parameter.shape.SequenceEqual(dense.Model.Hidden.Mask!.shape)).State;
        foreach (var (kept, full) in new[] { (moments.exp_avg, denseMoments.exp_avg), (moments.exp_avg_sq, denseMoments.exp_avg_sq) })
        {
            using var matrix = full.reshape(full.shape[0], -1);
            using var gathered = resumed.Model.Hidden.Pattern!.Gather(matrix);
            Assert.True(Same(gathered, kept), "the kept values' moments are not the saved dense moments at the kept positions");
            Assert.True(full.abs().sum().item<float>() > 0, "the saved moments are zero: the conversion would go untested");
        }
        Assert.Equal(3, moments.step);
        // Both continue the same run: only the order of float32 sums differs.
        for (int i = 3; i < 6; i++)
        {
            double want = dense.Step(i), got = resumed.Step(i);
            Assert.True(Math.Abs(want - got) <= 1e-5 * Math.Abs(want), $"step {i}: loss {got} after the converted resume, {want} on the dense path");
        }
    }

    [Fact]
    public void By_default_a_sparse_convolution_exports_the_masked_dense_models_4_D_weight_and_mask()
    {
        using var dense = Model(WeightStorage.Dense);
        using var sparse = Model(WeightStorage.Sparse);
        string densePath = _folder.File("dense.safetensors"), sparsePath = _folder.File("sparse.safetensors");
        WeightExport.Write(dense, densePath);
        var metadata = WeightExport.Write(sparse, sparsePath);
        var expected = Read(densePath);
        var written = Read(sparsePath);
        Assert.Equal(expected.Keys.Order(), written.Keys.Order());
        Assert.Equal([32L, 32, 3, 3], written["hidden.mask"].shape);
        foreach (var (name, tensor) in expected) Assert.True(Same(tensor, written[name]), $"'{name}' differs from the masked-dense model's");
        Assert.Equal("{}", metadata[ExportMetadata.SparseTensors]);
    }

    [Fact]
    public void The_pattern_export_of_a_convolution_records_its_4_D_shape_and_loads_into_either_storage()
    {
        using var source = Model(WeightStorage.Sparse);
        string path = _folder.File("pattern.safetensors");
        var metadata = WeightExport.Write(source, path, new ExportOptions { SparsePattern = true });
        var entry = System.Text.Json.Nodes.JsonNode.Parse(metadata[ExportMetadata.SparseTensors])!["hidden.weight"]!;
        Assert.Equal("[32,288]", entry["shape"]!.ToJsonString());
        Assert.Equal("[32,32,3,3]", entry["dense_shape"]!.ToJsonString());
        Assert.Equal(source.Hidden.Values!.numel(), Read(path)["hidden.weight_values"].numel());

        using var expected = ConvTraining.LogitsOf(source);
        using var otherSparse = Model(WeightStorage.Sparse, seed: 9);
        using var otherDense = Model(WeightStorage.Dense, seed: 9);
        WeightImport.Load(WeightImport.Open(path), otherSparse);
        WeightImport.Load(WeightImport.Open(path), otherDense);
        AssertSameState(source, otherSparse);
        using var reference = Model(WeightStorage.Dense);
        AssertSameState(reference, otherDense);
        using var logits = ConvTraining.LogitsOf(otherSparse);
        Assert.True(Same(expected, logits), "the imported sparse model computes other logits");

        // And the default (dense) export of the masked-dense model loads into a sparse one drawn with another seed.
        string densePath = _folder.File("dense.safetensors");
        WeightExport.Write(reference, densePath);
        using var fromDense = Model(WeightStorage.Sparse, seed: 11);
        WeightImport.Load(WeightImport.Open(densePath), fromDense);
        AssertSameState(source, fromDense);
    }

    private static Dictionary<string, Tensor> Read(string path)
    {
        var file = SafeTensors.Open(path);
        return file.Entries.ToDictionary(e => e.Name, e => file.Read(e.Name));
    }
}
