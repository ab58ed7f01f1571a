using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SparseDsl.Export;

/// <summary>
/// One weight of a model that is stored as its kept values (<see cref="ISparseStorageLayer.IsSparseStorage"/>), under the
/// state-dict names of both of its forms: the dense form a masked-dense layer has (<see cref="Weight"/>,
/// <see cref="Mask"/>) and the stored form (<see cref="Values"/>, <see cref="RowStarts"/>, <see cref="Columns"/>).
/// </summary>
internal sealed record SparseStoredTensor(string Weight, string Mask, string Values, string RowStarts, string Columns, ISparseStorageLayer Layer)
{
    /// <summary>The sparse-stored weights of <paramref name="model"/>, in module order.</summary>
    public static IReadOnlyList<SparseStoredTensor> Of(nn.Module model)
    {
        var found = new List<SparseStoredTensor>();
        foreach (var (path, module) in model.named_modules())
        {
            if (module is not ISparseStorageLayer { IsSparseStorage: true } layer) continue;
            string prefix = path.Length == 0 ? "" : path + ".";
            found.Add(new SparseStoredTensor(prefix + "weight", prefix + LayerTensors.MaskName("weight"), prefix + LayerTensors.ValuesName("weight"),
                prefix + LayerTensors.RowStartsName("weight"), prefix + LayerTensors.ColumnsName("weight"), layer));
        }
        return found;
    }

    /// <summary>The layer's pattern.</summary>
    public SparsePattern Pattern => Layer.Pattern!;

    /// <summary>The kept values (the trained parameter).</summary>
    public Parameter StoredValues => Layer.Values!;

    /// <summary>The dense weight's real shape: <c>[out, in]</c>, or a convolution's <c>[out, in, k(, k)]</c>.</summary>
    public long[] Shape => Layer.Plan.Parameter("weight").Shape;

    /// <summary>The pattern's matrix shape, <c>[out, rest]</c>: the real shape flattened after its first dimension.</summary>
    public long[] MatrixShape => [Pattern.Rows, Pattern.Columns];
}
