using System.Text.Json;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace SparseDsl.Export;

/// <summary>
/// An export's tensors as a file in dense form names them: the weights the file stores as CSR values and indices (its
/// <c>sparse_tensors</c> metadata) appear as their dense <c>weight</c> and 0/1 <c>mask</c>, scattered on read. Every
/// stored pattern is checked when the source opens, so a bad one is refused before anything is loaded.
/// </summary>
internal sealed class ImportSource : IDisposable
{
    private readonly SafeTensorsFile file;
    // By dense name (the weight's and the mask's): the stored weight it comes from.
    private readonly Dictionary<string, StoredWeight> stored = new(StringComparer.Ordinal);
    private readonly HashSet<string> storedParts = new(StringComparer.Ordinal);

    public ImportSource(SafeTensorsFile file)
    {
        this.file = file;
        foreach (var weight in StoredWeights(file))
        {
            stored[weight.Name] = weight;
            stored[weight.MaskName] = weight;
            storedParts.UnionWith([weight.Values, weight.RowStarts, weight.Columns]);
        }
    }

    /// <summary>Every tensor name in dense form.</summary>
    public IEnumerable<string> Names => file.Entries.Select(e => e.Name).Where(n => !storedParts.Contains(n)).Concat(stored.Keys);

    /// <summary>The dtype and shape of tensor <paramref name="name"/> in dense form, or null when the file has none.</summary>
    public (ScalarType Dtype, long[] Shape)? Find(string name)
    {
        if (stored.TryGetValue(name, out var weight))
            return (name == weight.Name ? weight.Dtype : ScalarType.Float32, weight.DenseShape);
        return file.Find(name) is { } entry && !storedParts.Contains(name) ? (entry.Dtype, entry.Shape) : null;
    }

    /// <summary>Reads tensor <paramref name="name"/> in dense form (on the CPU).</summary>
    public Tensor Read(string name)
    {
        if (!stored.TryGetValue(name, out var weight)) return file.Read(name);
        if (name == weight.MaskName)
        {
            using var mask = weight.Pattern.ToMask();
            return mask.reshape(weight.DenseShape);
        }
        using var values = file.Read(weight.Values);
        using var matrix = weight.Pattern.Scatter(values);
        return matrix.reshape(weight.DenseShape);
    }

    public void Dispose()
    {
        foreach (var weight in stored.Values.Distinct()) weight.Pattern.Dispose();
    }

    // DenseShape: the weight's real shape (a convolution's [out, in, k(, k)]), whose flattening [out, rest] the pattern is.
    private sealed record StoredWeight(string Name, string MaskName, string Values, string RowStarts, string Columns, ScalarType Dtype, SparsePattern Pattern, long[] DenseShape);

    private static List<StoredWeight> StoredWeights(SafeTensorsFile file)
    {
        var found = new List<StoredWeight>();
        if (!file.Metadata.TryGetValue(ExportMetadata.SparseTensors, out var json)) return found; // written before sparse storage: all dense
        JsonObject map;
        try
        {
            map = JsonNode.Parse(json) as JsonObject ?? throw SafeTensors.Invalid(file.Path, $"has a '{ExportMetadata.SparseTensors}' that is not a JSON object");
        }
        catch (JsonException e)
        {
            throw SafeTensors.Invalid(file.Path, $"has an unreadable '{ExportMetadata.SparseTensors}': {e.Message}", e);
        }
        try
        {
            foreach (var (name, node) in map) found.Add(Parse(file, name, node));
        }
        catch
        {
            foreach (var weight in found) weight.Pattern.Dispose();
            throw;
        }
        return found;
    }

    private static StoredWeight Parse(SafeTensorsFile file, string name, JsonNode? node)
    {
        InvalidDataException Bad(string problem) => SafeTensors.Invalid(file.Path, $"describes sparse tensor '{name}' {problem}");
        if (node is not JsonObject o) throw Bad("with something that is not an object");
        if (o["layout"] is not JsonValue layout || !layout.TryGetValue(out string? kind) || kind != "csr") throw Bad("with a layout other than csr");
        if (o["shape"] is not JsonArray { Count: 2 } dims || dims.Any(d => d is not JsonValue v || !v.TryGetValue(out long n) || n <= 0))
            throw Bad("without a two-dimensional shape");
        long rows = dims[0]!.GetValue<long>(), columns = dims[1]!.GetValue<long>();
        long[] denseShape = DenseShape(o["dense_shape"], rows, columns) ?? throw Bad($"with a dense_shape that does not flatten to [{rows}, {columns}]");
        SafeTensorsEntry Part(string key, ScalarType? dtype, long length)
        {
            if (o[key] is not JsonValue v || !v.TryGetValue(out string? part)) throw Bad($"without '{key}'");
            var entry = file.Find(part) ?? throw SafeTensors.Invalid(file.Path, $"lacks tensor '{part}', the {key} of sparse tensor '{name}'");
            if ((dtype is { } d && entry.Dtype != d) || entry.Shape.Length != 1 || (length >= 0 && entry.Shape[0] != length))
                throw Bad($"with {key} '{part}' of {SafeTensors.DtypeName(entry.Dtype)} [{string.Join(", ", entry.Shape)}]");
            return entry;
        }
        var rowStarts = Part("crow_indices", ScalarType.Int32, rows + 1);
        var columnIndices = Part("col_indices", ScalarType.Int32, -1);
        var values = Part("values", null, columnIndices.Shape[0]);
        using var rowTensor = file.Read(rowStarts.Name);
        using var columnTensor = file.Read(columnIndices.Name);
        SparsePattern pattern;
        try
        {
            pattern = SparsePattern.FromRows(rows, columns, rowTensor, columnTensor);
        }
        catch (ArgumentException e)
        {
            throw SafeTensors.Invalid(file.Path, $"stores sparse tensor '{name}' with an invalid pattern: {e.Message}", e);
        }
        int dot = name.LastIndexOf('.');
        string maskName = name[..(dot + 1)] + LayerTensors.MaskName(name[(dot + 1)..]);
        return new StoredWeight(name, maskName, values.Name, rowStarts.Name, columnIndices.Name, values.Dtype, pattern, denseShape);
    }

    // Files written before convolutions had sparse storage have no dense_shape: their weights are the matrices themselves.
    private static long[]? DenseShape(JsonNode? node, long rows, long columns)
    {
        if (node is null) return [rows, columns];
        if (node is not JsonArray { Count: >= 2 } dims || dims.Any(d => d is not JsonValue v || !v.TryGetValue(out long n) || n <= 0)) return null;
        long[] shape = [.. dims.Select(d => d!.GetValue<long>())];
        return shape[0] == rows && shape.Skip(1).Aggregate(1L, (a, b) => a * b) == columns ? shape : null;
    }
}
