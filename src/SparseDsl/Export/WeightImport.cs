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

    /// <summary>Loads the tensors of <paramref name="file"/> into <paramref name="model"/>, after checking all of them.</summary>
    /// <exception cref="InvalidDataException">A tensor is missing, extra, or of another dtype or shape; the model is then untouched.</exception>
    public static void Load(SafeTensorsFile file, nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(model);
        var state = model.state_dict();
        foreach (var (name, tensor) in state)
        {
            var entry = file.Find(name) ?? throw SafeTensors.Invalid(file.Path, $"lacks tensor '{name}' ({Describe(tensor.dtype, tensor.shape)}), which the model has");
            if (entry.Dtype != tensor.dtype || !entry.Shape.SequenceEqual(tensor.shape))
                throw SafeTensors.Invalid(file.Path, $"stores '{name}' as {Describe(entry.Dtype, entry.Shape)}, but the model's is {Describe(tensor.dtype, tensor.shape)}");
        }
        if (file.Entries.FirstOrDefault(e => !state.ContainsKey(e.Name)) is { } extra)
            throw SafeTensors.Invalid(file.Path, $"has tensor '{extra.Name}', which the model lacks");
        using var _ = no_grad();
        foreach (var (name, tensor) in state)
        {
            using var read = file.Read(name);
            tensor.copy_(read);
        }
    }

    private static string Describe(ScalarType dtype, long[] shape) => $"{SafeTensors.DtypeName(dtype)} [{string.Join(", ", shape)}]";
}
