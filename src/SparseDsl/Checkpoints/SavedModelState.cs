using TorchSharp;
using static TorchSharp.torch;

namespace SparseDsl;

/// <summary>
/// Reads a model state written by TorchSharp's <c>Module.save</c>: first a dry pass that compares names, dtypes and
/// shapes with the model's own state dict, then the copy into the model's tensors.
/// </summary>
/// <remarks>
/// <para>
/// Why not <c>Module.load</c>: it checks entry by entry while it copies, so a checkpoint of another model is refused
/// only after part of this one was overwritten, and its messages do not name the entry. It also moves a model that
/// was put on a GPU with <c>.to(device)</c> to the CPU and back, which replaces the parameter objects an optimizer
/// built beforehand still holds. Copying into the existing tensors keeps those objects.
/// </para>
/// <para>
/// The layout read here is <c>Module.save</c>'s: an entry count, then per entry the name (a .NET string), the dtype,
/// the rank and each dimension, all LEB128 (the encoding of <see cref="BinaryReader.Read7BitEncodedInt64"/> for
/// non-negative numbers), then the raw elements. The checkpoint round-trip tests fail if a TorchSharp update changes it.
/// </para>
/// </remarks>
internal static class SavedModelState
{
    // libtorch's own limit on dimensions; a larger rank means the bytes are not a model state.
    private const long MaxRank = 64;

    /// <summary>
    /// Describes the first way the saved state differs from <paramref name="model"/>'s (a missing, extra or
    /// differently shaped entry), or returns null when they agree. Reads to the end of the saved state. A sparse-stored
    /// layer may be saved in its dense masked form: <paramref name="denseForms"/> reads and checks those entries.
    /// </summary>
    public static string? FindMismatch(BinaryReader reader, nn.Module model, DenseMaskedForms denseForms)
    {
        var expected = model.state_dict();
        long count = reader.Read7BitEncodedInt64();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (long i = 0; i < count; i++)
        {
            string name = reader.ReadString();
            bool dense = denseForms.Has(name);
            if (!dense && !expected.ContainsKey(name))
                return $"it has '{name}', which this model lacks";
            if (!seen.Add(name))
                return $"it has '{name}' twice";
            var dtype = (ScalarType)reader.Read7BitEncodedInt64();
            long rank = reader.Read7BitEncodedInt64();
            if (rank > MaxRank)
                throw new FormatException($"'{name}' claims {rank} dimensions");
            var shape = new long[rank];
            for (int d = 0; d < rank; d++)
                shape[d] = reader.Read7BitEncodedInt64();
            if (dense)
            {
                if (denseForms.ReadEntry(name, dtype, shape, reader) is { } unfit) return unfit;
                continue;
            }
            var tensor = expected[name];
            if (dtype != tensor.dtype)
                return $"it stores '{name}' as {dtype}, this model as {tensor.dtype}";
            if (!shape.SequenceEqual(tensor.shape))
                return $"it stores '{name}' with shape [{string.Join(", ", shape)}], this model with [{string.Join(", ", tensor.shape)}]";
            reader.BaseStream.Seek(tensor.numel() * tensor.ElementSize, SeekOrigin.Current);
        }

        if (denseForms.Check(seen) is { } wrong) return wrong;
        var excused = denseForms.Excused.ToHashSet(StringComparer.Ordinal);
        var missing = expected.Keys.Where(name => !seen.Contains(name) && !excused.Contains(name)).ToList();
        return missing.Count switch
        {
            0 => null,
            1 => $"it lacks '{missing[0]}'",
            _ => $"it lacks '{missing[0]}' and {missing.Count - 1} more entries",
        };
    }

    /// <summary>
    /// Copies the saved state into <paramref name="model"/>'s tensors; call after <see cref="FindMismatch"/> found none,
    /// with the same <paramref name="denseForms"/>, whose entries (already read) become their layers' pattern and values.
    /// </summary>
    public static void CopyInto(BinaryReader reader, nn.Module model, DenseMaskedForms denseForms)
    {
        var target = model.state_dict();
        long count = reader.Read7BitEncodedInt64();
        for (long i = 0; i < count; i++)
        {
            string name = reader.ReadString();
            if (denseForms.Has(name)) SkipEntry(reader);
            else target[name].Load(reader);
        }
        // A sparse layer's pattern buffers were overwritten in place: check them and rebuild what derives from them.
        foreach (var layer in model.modules().OfType<ISparseStorageLayer>()) layer.PatternsLoaded();
        denseForms.Apply();
    }

    // The entry's dtype, shape and elements, as FindMismatch read them.
    private static void SkipEntry(BinaryReader reader)
    {
        var dtype = (ScalarType)reader.Read7BitEncodedInt64();
        long rank = reader.Read7BitEncodedInt64();
        long elements = 1;
        for (int d = 0; d < rank; d++) elements *= reader.Read7BitEncodedInt64();
        using var probe = empty(0, dtype);
        reader.BaseStream.Seek(elements * probe.ElementSize, SeekOrigin.Current);
    }
}
