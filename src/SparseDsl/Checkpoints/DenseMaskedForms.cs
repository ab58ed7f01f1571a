using static TorchSharp.torch;

namespace SparseDsl;

/// <summary>
/// The dense masked form (<c>weight</c> and <c>mask</c>) in which a saved model state can hold a layer that the model
/// being loaded stores sparse: a checkpoint written on the dense masked path (<c>--storage dense</c>, or before the layer's
/// kind had sparse storage, as convolutions did not). Such entries are read in the dry pass, checked, and then become
/// the layer's pattern (the saved mask) and kept values (the saved weight at it).
/// </summary>
/// <remarks>
/// The optimizer's moments of a dense weight are dense: <see cref="DenseMomentConversion"/> takes them at the kept
/// positions for an AdamW; <see cref="CheckpointReader"/> refuses such a checkpoint with any other optimizer before the
/// model is touched.
/// </remarks>
internal sealed class DenseMaskedForms : IDisposable
{
    private readonly Dictionary<string, Form> byName = new(StringComparer.Ordinal);
    private readonly Dictionary<ISparseStorageLayer, Read> read = [];

    private sealed record Form(ISparseStorageLayer Layer, bool IsMask, string[] StoredNames);

    private sealed class Read
    {
        public Tensor? Weight, Mask;
    }

    /// <summary>The dense forms of <paramref name="model"/>'s sparse-stored layers, by their state-dict names.</summary>
    public static DenseMaskedForms Of(nn.Module model)
    {
        var forms = new DenseMaskedForms();
        foreach (var (path, module) in model.named_modules())
        {
            if (module is not ISparseStorageLayer { IsSparseStorage: true } layer) continue;
            string prefix = path.Length == 0 ? "" : path + ".";
            string[] stored = [.. new[] { LayerTensors.ValuesName("weight"), LayerTensors.RowStartsName("weight"), LayerTensors.ColumnsName("weight") }.Select(n => prefix + n)];
            forms.byName[prefix + "weight"] = new Form(layer, false, stored);
            forms.byName[prefix + LayerTensors.MaskName("weight")] = new Form(layer, true, stored);
        }
        return forms;
    }

    /// <summary>Whether any layer was saved in its dense form (after the dry pass).</summary>
    public bool Any => read.Count > 0;

    /// <summary>The layers read in dense form.</summary>
    public IReadOnlyCollection<ISparseStorageLayer> ReadLayers => read.Keys;

    /// <summary>The layers read in dense form, by name.</summary>
    public IEnumerable<string> Layers => read.Keys.Select(l => l.Plan.Name);

    /// <summary>Whether <paramref name="name"/> is the dense form's weight or mask of a sparse-stored layer.</summary>
    public bool Has(string name) => byName.ContainsKey(name);

    /// <summary>
    /// Checks the saved dtype and shape of dense-form entry <paramref name="name"/> and reads it (dry pass); returns why it
    /// does not fit, or null.
    /// </summary>
    public string? ReadEntry(string name, ScalarType dtype, long[] shape, BinaryReader reader)
    {
        var form = byName[name];
        var values = form.Layer.Values!;
        long[] expected = form.Layer.Plan.Parameter("weight").Shape;
        if (dtype != values.dtype)
            return $"it stores '{name}' as {dtype}, this model's sparse-stored values as {values.dtype}";
        if (!shape.SequenceEqual(expected))
            return $"it stores '{name}' with shape [{string.Join(", ", shape)}], this model's weight is [{string.Join(", ", expected)}]";
        var tensor = empty(shape, dtype);
        // Module.save writes the raw elements in the tensor's own layout: what TorchSharp's ReadBytesFromStream reads back.
        tensor.ReadBytesFromStream(reader.BaseStream);
        if (!read.TryGetValue(form.Layer, out var entries)) read[form.Layer] = entries = new Read();
        if (form.IsMask) entries.Mask = tensor;
        else entries.Weight = tensor;
        return null;
    }

    /// <summary>The stored names (<c>weight_values</c>, …) of the layers saved in dense form: the model's entries the file need not have.</summary>
    public IEnumerable<string> Excused => read.Keys.SelectMany(l => byName.Values.First(f => f.Layer == l).StoredNames);

    /// <summary>After the dry pass: why the dense forms read cannot become the layers' storage, or null.</summary>
    public string? Check(IReadOnlySet<string> seen)
    {
        foreach (var (layer, entries) in read)
        {
            var form = byName.Values.First(f => f.Layer == layer);
            if (entries.Weight is null || entries.Mask is null)
                return $"it holds only part of '{layer.Plan.Name}''s dense form (weight and mask)";
            if (form.StoredNames.FirstOrDefault(seen.Contains) is { } both)
                return $"it holds '{layer.Plan.Name}' both in dense form and as '{both}'";
            using var kept = entries.Mask.ne(0);
            using var notBinary = kept.logical_and(entries.Mask.ne(1));
            if (notBinary.any().item<bool>()) return $"its mask of '{layer.Plan.Name}' is not 0/1";
            using var outside = kept.logical_not();
            using var dropped = entries.Weight.masked_select(outside);
            if (dropped.ne(0).any().item<bool>()) return $"its weight of '{layer.Plan.Name}' is non-zero where its mask is zero";
            long count = kept.sum().item<long>();
            if (count != layer.Pattern!.Count) return $"it keeps {count} weights of '{layer.Plan.Name}', this model {layer.Pattern.Count} (another density)";
        }
        return null;
    }

    /// <summary>Makes each dense form read the layer's pattern and values (after <see cref="Check"/> found nothing wrong).</summary>
    public void Apply()
    {
        foreach (var (layer, entries) in read)
        {
            long rows = entries.Mask!.shape[0];
            using var mask = entries.Mask.reshape(rows, -1);
            using var weight = entries.Weight!.reshape(rows, -1);
            using var pattern = SparsePattern.FromMask(mask);
            using var values = pattern.Gather(weight);
            using var onDevice = values.to(layer.Values!.device);
            layer.Assign(pattern, onDevice);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var entries in read.Values)
        {
            entries.Weight?.Dispose();
            entries.Mask?.Dispose();
        }
    }
}
