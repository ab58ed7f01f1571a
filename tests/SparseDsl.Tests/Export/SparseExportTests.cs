using System.Text.Json.Nodes;
using SparseDsl.Export;
using SparseDsl.Tests.SmallModels;
using static TorchSharp.torch;

namespace SparseDsl.Tests.Export;

/// <summary>
/// Export of sparse-stored models: the default file is the dense state dict a masked-dense model writes (PyTorch reads
/// it as before), <see cref="ExportOptions.SparsePattern"/> writes the kept values and CSR indices, and either form
/// loads into a model of either storage; bad sparse data is refused before the model is touched.
/// </summary>
public sealed class SparseExportTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static TinyByteLm Model(WeightStorage storage, long seed = 3) =>
        new(32, seed: seed, options: new ModelOptions { Depth = 1, Sparsity = 0.875, Storage = storage });

    private static bool Same(Tensor a, Tensor b) => a.dtype == b.dtype && a.shape.SequenceEqual(b.shape) && a.equal(b).all().item<bool>();

    private static Tensor Logits(nn.Module<Tensor, Tensor> model)
    {
        model.eval();
        using var _ = no_grad();
        using var ids = ExportModels.Tokens(TinyByteLm.Vocab, length: 16);
        return model.call(ids).detach().clone();
    }

    private static Dictionary<string, Tensor> Read(string path)
    {
        var file = SafeTensors.Open(path);
        return file.Entries.ToDictionary(e => e.Name, e => file.Read(e.Name));
    }

    [Fact]
    public void By_default_a_sparse_stored_model_exports_the_dense_weights_and_masks_of_the_masked_dense_model()
    {
        using var dense = Model(WeightStorage.Dense);
        using var sparse = Model(WeightStorage.Sparse);
        Assert.All(sparse.modules().OfType<ScaledLinear>().Where(l => l.Plan.IsMasked), l => Assert.True(l.IsSparseStorage, l.Storage.Reason));
        string densePath = _folder.File("dense.safetensors"), sparsePath = _folder.File("sparse.safetensors");
        WeightExport.Write(dense, densePath);
        var metadata = WeightExport.Write(sparse, sparsePath);

        var expected = Read(densePath);
        var written = Read(sparsePath);
        Assert.Equal(expected.Keys.Order(), written.Keys.Order());
        Assert.Contains("blocks.0.mlp.up.mask", written.Keys);
        Assert.DoesNotContain(written.Keys, k => k.EndsWith("_values", StringComparison.Ordinal) || k.EndsWith("_rows", StringComparison.Ordinal));
        foreach (var (name, tensor) in expected) Assert.True(Same(tensor, written[name]), $"'{name}' differs from the masked-dense model's");
        Assert.Equal("{}", metadata[ExportMetadata.SparseTensors]);
    }

    [Fact]
    public void A_folded_export_is_the_same_from_either_storage()
    {
        using var dense = Model(WeightStorage.Dense);
        using var sparse = Model(WeightStorage.Sparse);
        string densePath = _folder.File("dense.folded.safetensors"), sparsePath = _folder.File("sparse.folded.safetensors");
        WeightExport.Write(dense, densePath, new ExportOptions { Fold = true });
        WeightExport.Write(sparse, sparsePath, new ExportOptions { Fold = true });
        // The files differ only in the recipe's storage; the tensors are the same.
        var expected = Read(densePath);
        var written = Read(sparsePath);
        Assert.Equal(expected.Keys, written.Keys);
        Assert.DoesNotContain(written.Keys, k => k.EndsWith("mask", StringComparison.Ordinal));
        foreach (var (name, tensor) in expected) Assert.True(Same(tensor, written[name]), $"folded '{name}' differs from the masked-dense model's");
        Assert.Throws<ArgumentException>(() => WeightExport.Write(sparse, _folder.File("both.safetensors"), new ExportOptions { Fold = true, SparsePattern = true }));
    }

    [Fact]
    public void The_sparse_pattern_export_writes_kept_values_and_csr_indices_and_loads_into_either_storage()
    {
        using var sparse = Model(WeightStorage.Sparse);
        string path = _folder.File("pattern.safetensors");
        var metadata = WeightExport.Write(sparse, path, new ExportOptions { SparsePattern = true });
        var described = JsonNode.Parse(metadata[ExportMetadata.SparseTensors])!.AsObject();
        var up = sparse.Blocks[0].Mlp.Up;
        var entry = described["blocks.0.mlp.up.weight"]!.AsObject();
        Assert.Equal(("csr", "blocks.0.mlp.up.weight_values", "blocks.0.mlp.up.weight_rows", "blocks.0.mlp.up.weight_columns"),
            ((string?)entry["layout"], (string?)entry["values"], (string?)entry["crow_indices"], (string?)entry["col_indices"]));
        Assert.Equal(sparse.modules().OfType<ScaledLinear>().Count(l => l.IsSparseStorage), described.Count);
        var written = Read(path);
        Assert.Equal(up.Values!.numel(), written["blocks.0.mlp.up.weight_values"].numel());
        Assert.DoesNotContain("blocks.0.mlp.up.weight", written.Keys);
        // At density 1/8, values and int32 columns take 8 bytes per kept weight against 8 bytes per position for weight and mask.
        long Bytes(params string[] names) => names.Sum(n => written.TryGetValue(n, out var t) ? t.numel() * t.ElementSize : 0);
        long stored = Bytes("blocks.0.mlp.up.weight_values", "blocks.0.mlp.up.weight_rows", "blocks.0.mlp.up.weight_columns");
        Assert.InRange(stored, 1, 2 * up.Pattern!.Rows * up.Pattern.Columns * 4 / 6);

        using var expected = Logits(sparse);
        // Another seed: other kept positions, so only the import can make the logits equal.
        using var otherSparse = Model(WeightStorage.Sparse, seed: 9);
        using var otherDense = Model(WeightStorage.Dense, seed: 9);
        using var reference = Model(WeightStorage.Dense);
        WeightImport.Load(WeightImport.Open(path), otherSparse);
        WeightImport.Load(WeightImport.Open(path), otherDense);
        using var sparseLogits = Logits(otherSparse);
        Assert.True(Same(expected, sparseLogits), "a sparse-stored model importing the pattern file gives other logits");
        foreach (var (name, tensor) in reference.state_dict())
            Assert.True(Same(tensor, otherDense.state_dict()[name]), $"the masked-dense model's '{name}' after importing the pattern file differs from the same seed's");
    }

    [Fact]
    public void A_dense_export_loads_into_a_sparse_stored_model_drawn_with_another_seed()
    {
        using var dense = Model(WeightStorage.Dense);
        string path = WriteDense(dense);
        using var expected = Logits(dense);
        using var sparse = Model(WeightStorage.Sparse, seed: 9);
        WeightImport.Load(WeightImport.Open(path), sparse);
        using var reference = Model(WeightStorage.Sparse);
        foreach (var (name, tensor) in reference.state_dict())
            Assert.True(Same(tensor, sparse.state_dict()[name]), $"'{name}' after the import differs from the same seed's sparse-stored model");
        using var logits = Logits(sparse);
        using var fromSameSeed = Logits(reference);
        Assert.True(Same(fromSameSeed, logits));
    }

    [Fact]
    public void A_dense_weight_that_is_non_zero_outside_its_mask_or_keeps_another_count_is_refused_and_the_model_is_untouched()
    {
        using var dense = Model(WeightStorage.Dense);
        using var target = Model(WeightStorage.Sparse, seed: 9);
        using var before = Logits(target);
        using (no_grad())
        {
            var up = dense.Blocks[0].Mlp.Up;
            using var outside = up.Mask!.eq(0).nonzero()[0];
            up.Weight[outside[0], outside[1]] = 0.5f;
        }
        var e = Assert.Throws<InvalidDataException>(() => WeightImport.Load(WeightImport.Open(WriteDense(dense)), target));
        Assert.Contains("non-zero weights in 'blocks.0.mlp.up.weight' where its mask is zero", e.Message);

        using var other = new TinyByteLm(32, seed: 3, options: new ModelOptions { Depth = 1, Sparsity = 0.75, Storage = WeightStorage.Dense });
        e = Assert.Throws<InvalidDataException>(() => WeightImport.Load(WeightImport.Open(WriteDense(other, "other.safetensors")), target));
        Assert.Contains("keeps", e.Message);
        using var after = Logits(target);
        Assert.True(Same(before, after), "a refused import changed the model");
    }

    [Fact]
    public void A_pattern_file_with_broken_indices_is_refused()
    {
        using var sparse = Model(WeightStorage.Sparse);
        string path = _folder.File("pattern.safetensors");
        var metadata = WeightExport.Write(sparse, path, new ExportOptions { SparsePattern = true });
        var tensors = Read(path).Select(kv => (kv.Key, kv.Value)).ToList();
        int i = tensors.FindIndex(t => t.Key == "blocks.0.mlp.up.weight_columns");
        using (no_grad()) tensors[i].Value[1] = tensors[i].Value[0]; // the first row now stores one position twice
        string broken = _folder.File("broken.safetensors");
        SafeTensors.Write(broken, tensors, metadata);
        using var target = Model(WeightStorage.Dense, seed: 9);
        var e = Assert.Throws<InvalidDataException>(() => WeightImport.Load(WeightImport.Open(broken), target));
        Assert.Contains("invalid pattern", e.Message);
    }

    private string WriteDense(nn.Module model, string name = "dense.safetensors")
    {
        string path = _folder.File(name);
        WeightExport.Write(model, path);
        return path;
    }
}
