using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace SparseDsl.Export;

/// <summary>
/// The tensors an export writes. By default every weight is in its dense form, whatever the model's storage: a
/// sparse-stored layer's kept values are scattered into <c>weight</c> (zero elsewhere) beside its 0/1 <c>mask</c>, so
/// the file is the state dict a masked-dense model has and PyTorch reads it as before. With
/// <see cref="ExportOptions.SparsePattern"/>, sparse-stored weights are written as stored instead (values and int32
/// compressed rows, named in the metadata's <c>sparse_tensors</c>).
/// </summary>
internal static class ExportedState
{
    /// <summary>The state dict in dense form: each sparse-stored weight as <c>weight</c> and <c>mask</c>, in its place.</summary>
    public static List<(string Name, Tensor Tensor)> Dense(nn.Module model)
    {
        var byValues = SparseStoredTensor.Of(model).ToDictionary(s => s.Values, StringComparer.Ordinal);
        var indices = byValues.Values.SelectMany(s => new[] { s.RowStarts, s.Columns }).ToHashSet(StringComparer.Ordinal);
        var tensors = new List<(string Name, Tensor Tensor)>();
        foreach (var (name, tensor) in model.state_dict())
        {
            if (indices.Contains(name)) continue;
            if (byValues.TryGetValue(name, out var sparse))
            {
                tensors.Add((sparse.Weight, sparse.Layer.EffectiveWeight()));
                tensors.Add((sparse.Mask, sparse.Pattern.ToMask().reshape(sparse.Shape).to(sparse.StoredValues.device)));
                continue;
            }
            tensors.Add((name, tensor));
        }
        return tensors;
    }

    /// <summary>The state dict as stored: sparse-stored weights as their values and index buffers.</summary>
    public static List<(string Name, Tensor Tensor)> Stored(nn.Module model) => model.state_dict().Select(kv => (kv.Key, kv.Value)).ToList();

    /// <summary>
    /// The <c>sparse_tensors</c> metadata of a file written as stored: per dense weight name, its layout (<c>csr</c>), shape
    /// and the tensors that hold it, which <c>torch.sparse_csr_tensor(crow_indices, col_indices, values, shape)</c> reads.
    /// <c>shape</c> is the pattern's matrix; <c>dense_shape</c> is the weight's real shape, which differs for a
    /// convolution (<c>[out, in, k, k]</c>, stored as <c>[out, in·k·k]</c>: <c>.to_dense().reshape(dense_shape)</c>).
    /// Empty for a file in dense form.
    /// </summary>
    public static JsonObject Describe(IEnumerable<SparseStoredTensor> stored)
    {
        var map = new JsonObject();
        foreach (var s in stored)
        {
            map[s.Weight] = new JsonObject
            {
                ["layout"] = "csr",
                ["shape"] = new JsonArray(s.MatrixShape.Select(d => (JsonNode)d).ToArray()),
                ["dense_shape"] = new JsonArray(s.Shape.Select(d => (JsonNode)d).ToArray()),
                ["values"] = s.Values,
                ["crow_indices"] = s.RowStarts,
                ["col_indices"] = s.Columns,
            };
        }
        return map;
    }
}
