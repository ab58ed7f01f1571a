using System.Text.Json;
using static TorchSharp.torch;

namespace SparseDsl.Export;

/// <summary>
/// Loads an unfolded SparseDsl safetensors export back into the declared model it came from: every state-dict tensor
/// must be in the file with the model's dtype and shape, and nothing else may be, or nothing is loaded.
/// </summary>
public static class WeightImport
{
    /// <summary>Opens <paramref name="path"/> and checks that it is an unfolded SparseDsl export; returns its header.</summary>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not safetensors, not a SparseDsl export, or a folded one.</exception>
    public static SafeTensorsFile Open(string path)
    {
        var file = SafeTensors.Open(path);
        if (!file.Metadata.TryGetValue(ExportMetadata.Format, out var format))
            throw SafeTensors.Invalid(path, $"is not a SparseDsl export: its metadata has no '{ExportMetadata.Format}'");
        if (format != ExportMetadata.FormatVersion)
            throw SafeTensors.Invalid(path, $"is a SparseDsl export of format '{format}'; this build reads '{ExportMetadata.FormatVersion}'");
        if (file.Metadata.GetValueOrDefault(ExportMetadata.Folded) != "false")
            throw SafeTensors.Invalid(path, "is a folded export: its multipliers are in its weights, so the declared model cannot load it; import the export made without --fold");
        return file;
    }

    /// <summary>The recipe of the model an export holds (to rebuild it with the model's <c>FromRecipe</c>).</summary>
    /// <exception cref="InvalidDataException">The metadata has no readable recipe.</exception>
    public static ModelRecipe Recipe(SafeTensorsFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (!file.Metadata.TryGetValue(ExportMetadata.Recipe, out var json))
            throw SafeTensors.Invalid(file.Path, $"has no '{ExportMetadata.Recipe}' in its metadata");
        try
        {
            return JsonSerializer.Deserialize(json, SparseDslJsonContext.Default.ModelRecipe) ?? throw SafeTensors.Invalid(file.Path, "has an empty recipe");
        }
        catch (JsonException e)
        {
            throw SafeTensors.Invalid(file.Path, $"has an unreadable recipe: {e.Message}", e);
        }
    }

    /// <summary>
    /// Loads the tensors of <paramref name="file"/> into <paramref name="model"/>, after checking all of them. Either form
    /// of a sparse weight loads into a model of either storage: a file in dense form (<c>weight</c> and <c>mask</c>) into a
    /// sparse-stored layer, whose pattern becomes the file's mask, and a file written with
    /// <see cref="ExportOptions.SparsePattern"/> into a masked-dense layer, whose weight and mask are scattered from it.
    /// </summary>
    /// <exception cref="InvalidDataException">A tensor is missing, extra, or of another dtype or shape; a stored pattern is
    /// not a valid one; a dense weight is non-zero where its mask is zero, or its mask keeps another number of weights than a
    /// sparse-stored layer holds. The model is then untouched.</exception>
    public static void Load(SafeTensorsFile file, nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(model);
        var state = model.state_dict();
        var targets = SparseStoredTensor.Of(model);
        using var source = new ImportSource(file);
        var expected = DenseForm(state, targets);
        foreach (var (name, (dtype, shape)) in expected)
        {
            var (fileDtype, fileShape) = source.Find(name) ?? throw SafeTensors.Invalid(file.Path, $"lacks tensor '{name}' ({Describe(dtype, shape)}), which the model has");
            if (fileDtype != dtype || !fileShape.SequenceEqual(shape))
                throw SafeTensors.Invalid(file.Path, $"stores '{name}' as {Describe(fileDtype, fileShape)}, but the model's is {Describe(dtype, shape)}");
        }
        if (source.Names.FirstOrDefault(n => !expected.ContainsKey(n)) is { } extra)
            throw SafeTensors.Invalid(file.Path, $"has tensor '{extra}', which the model lacks");

        // Everything a sparse-stored layer receives is read and checked before the model is touched.
        var assignments = targets.Select(t => (Target: t, Kept: Kept(source, t, file.Path))).ToList();
        using var _ = no_grad();
        var sparseNames = targets.SelectMany(t => new[] { t.Values, t.RowStarts, t.Columns }).ToHashSet(StringComparer.Ordinal);
        foreach (var (name, tensor) in state)
        {
            if (sparseNames.Contains(name)) continue;
            using var read = source.Read(name);
            tensor.copy_(read);
        }
        foreach (var (target, (pattern, values)) in assignments)
        {
            target.Layer.Assign(pattern, values);
            pattern.Dispose();
            values.Dispose();
        }
    }

    // The model's tensors as a file in dense form names them: a sparse-stored layer's as its weight and mask.
    private static Dictionary<string, (ScalarType Dtype, long[] Shape)> DenseForm(Dictionary<string, Tensor> state, IReadOnlyList<SparseStoredTensor> targets)
    {
        var form = new Dictionary<string, (ScalarType, long[])>(StringComparer.Ordinal);
        var byValues = targets.ToDictionary(t => t.Values, StringComparer.Ordinal);
        var indices = targets.SelectMany(t => new[] { t.RowStarts, t.Columns }).ToHashSet(StringComparer.Ordinal);
        foreach (var (name, tensor) in state)
        {
            if (indices.Contains(name)) continue;
            if (byValues.TryGetValue(name, out var t))
            {
                form[t.Weight] = (tensor.dtype, t.Shape);
                form[t.Mask] = (ScalarType.Float32, t.Shape);
                continue;
            }
            form[name] = (tensor.dtype, tensor.shape);
        }
        return form;
    }

    // The pattern and values a sparse-stored layer gets from the file's dense weight and mask.
    private static (SparsePattern Pattern, Tensor Values) Kept(ImportSource source, SparseStoredTensor target, string path)
    {
        // A convolution's [out, in, k(, k)] weight and mask are checked, and their pattern taken, as [out, rest] matrices.
        using var weight = Matrix(source.Read(target.Weight));
        using var mask = Matrix(source.Read(target.Mask));
        using var kept = mask.ne(0);
        using var neitherZeroNorOne = kept.logical_and(mask.ne(1));
        if (neitherZeroNorOne.any().item<bool>())
            throw SafeTensors.Invalid(path, $"has a mask '{target.Mask}' that is not 0/1");
        using var outside = kept.logical_not();
        using var dropped = weight.masked_select(outside);
        if (dropped.ne(0).any().item<bool>())
            throw SafeTensors.Invalid(path, $"has non-zero weights in '{target.Weight}' where its mask is zero; '{target.Layer.Plan.Name}' stores only the kept values, so they would be lost");
        var pattern = SparsePattern.FromMask(mask);
        if (pattern.Count != target.Pattern.Count)
        {
            long count = pattern.Count;
            pattern.Dispose();
            throw SafeTensors.Invalid(path, $"keeps {count} weights in '{target.Weight}', but the model's '{target.Layer.Plan.Name}' keeps {target.Pattern.Count} (another density)");
        }
        return (pattern, pattern.Gather(weight));
    }

    private static Tensor Matrix(Tensor read)
    {
        using (read) return read.reshape(read.shape[0], -1);
    }

    private static string Describe(ScalarType dtype, long[] shape) => $"{SafeTensors.DtypeName(dtype)} [{string.Join(", ", shape)}]";
}
