using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SparseDsl;

/// <summary>
/// Reads one checkpoint file section by section, in the order of <see cref="CheckpointFormat"/>, and turns every
/// way a file can be bad into an <see cref="InvalidDataException"/> that names the file.
/// </summary>
internal sealed class CheckpointReader : IDisposable
{
    private readonly string path;
    private readonly FileStream stream;
    private readonly BinaryReader reader;

    private CheckpointReader(string path, FileStream stream)
    {
        this.path = path;
        this.stream = stream;
        reader = new BinaryReader(stream, CheckpointFormat.Utf8);
        Header = Guard(ReadPreamble);
    }

    /// <summary>The header, read and checked on opening.</summary>
    public CheckpointHeader Header { get; }

    /// <summary>Opens <paramref name="path"/> and checks its magic, version, end marker and header.</summary>
    public static CheckpointReader Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"Checkpoint '{path}' does not exist.", path);
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        try
        {
            return new CheckpointReader(path, stream);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    // Layers loaded from their dense masked form, whose saved optimizer moments LoadOptimizer gathers.
    private IReadOnlyCollection<ISparseStorageLayer> convertedLayers = [];

    /// <summary>
    /// Loads the model state, refusing (before anything is overwritten) a state whose names, dtypes or shapes differ. A
    /// layer the model stores sparse may be saved in its dense masked form (<see cref="DenseMaskedForms"/>); its dense
    /// optimizer moments then convert only into an AdamW (<paramref name="optimizer"/> null or AdamW).
    /// </summary>
    public void LoadModel(nn.Module model, OptimizerHelper? optimizer) => Guard(() =>
    {
        long start = stream.Position;
        using var denseForms = DenseMaskedForms.Of(model);
        if (SavedModelState.FindMismatch(reader, model, denseForms) is { } mismatch)
            throw CheckpointFormat.Invalid(path, $"does not fit this model: {mismatch}. Build the model from the checkpoint's recipe (Checkpoint.ReadHeader).");
        if (optimizer is not null and not AdamW && denseForms.Any)
            throw CheckpointFormat.Invalid(path, $"holds '{denseForms.Layers.First()}' in its dense masked form (weight and mask), which this model stores sparse, and its dense optimizer moments convert only into an AdamW, not a {optimizer.GetType().Name}: load it without an optimizer, or into a model built with WeightStorage.Dense.");
        stream.Position = start;
        SavedModelState.CopyInto(reader, model, denseForms);
        convertedLayers = [.. denseForms.ReadLayers];
    });

    /// <summary>Reads the saved RNG state; applying it is left to the caller, once everything else has loaded.</summary>
    public byte[] ReadRngState() => Guard(() =>
    {
        int length = reader.ReadInt32();
        if (length < 0 || length > Remaining)
            throw CheckpointFormat.Invalid(path, $"is corrupt: its RNG state claims {length} bytes.");
        return reader.ReadBytes(length);
    });

    /// <summary>
    /// Loads the optimizer state into <paramref name="optimizer"/> and checks the end marker. With no optimizer it
    /// stops before that state: the end marker was checked on opening.
    /// </summary>
    public void LoadOptimizer(OptimizerHelper? optimizer) => Guard(() =>
    {
        bool saved = reader.ReadBoolean();
        if (optimizer is null)
            return;
        if (!saved)
            throw CheckpointFormat.Invalid(path, "holds no optimizer state (it was saved for inference); load it without an optimizer.");
        try
        {
            if (convertedLayers.Count > 0) DenseMomentConversion.Load(reader, (AdamW)optimizer, convertedLayers);
            else optimizer.load_state_dict(reader);
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException)
        {
            throw CheckpointFormat.Invalid(path, $"does not fit this optimizer: {e.Message}", e);
        }
        Span<byte> marker = stackalloc byte[8];
        reader.BaseStream.ReadExactly(marker);
        if (!marker.SequenceEqual(CheckpointFormat.EndMarker) || stream.Position != stream.Length)
            throw CheckpointFormat.Invalid(path, "is corrupt: its sections do not end where its end marker begins.");
    });

    /// <summary>Applies RNG state bytes read by <see cref="ReadRngState"/>.</summary>
    public void RestoreRngState(byte[] state)
    {
        try
        {
            RngState.Restore(state);
        }
        catch (ExternalException e)
        {
            throw CheckpointFormat.Invalid(path, $"has an RNG state torch refuses: {e.Message}", e);
        }
    }

    /// <inheritdoc />
    public void Dispose() => reader.Dispose();

    // Bytes left before the end marker.
    private long Remaining => stream.Length - CheckpointFormat.EndMarker.Length - stream.Position;

    private CheckpointHeader ReadPreamble()
    {
        if (stream.Length < CheckpointFormat.MinimumLength)
            throw CheckpointFormat.Invalid(path, $"is only {stream.Length} bytes: it is empty, truncated or not a SparseDsl checkpoint.");

        Span<byte> eight = stackalloc byte[8];
        stream.ReadExactly(eight);
        if (!eight.SequenceEqual(CheckpointFormat.Magic))
            throw CheckpointFormat.Invalid(path, "is not a SparseDsl checkpoint: it does not start with SDSLCKPT.");
        int version = reader.ReadInt32();
        if (version != CheckpointHeader.CurrentFormatVersion)
            throw CheckpointFormat.Invalid(path, $"has format version {version}; this SparseDsl reads version {CheckpointHeader.CurrentFormatVersion}.");

        // Checked before anything is read into a model: a truncated file then never half-loads.
        long afterVersion = stream.Position;
        stream.Position = stream.Length - eight.Length;
        stream.ReadExactly(eight);
        if (!eight.SequenceEqual(CheckpointFormat.EndMarker))
            throw CheckpointFormat.Invalid(path, "is truncated: it lacks its end marker, so it was cut off while being written or copied.");
        stream.Position = afterVersion;

        int length = reader.ReadInt32();
        if (length <= 0 || length > Remaining)
            throw CheckpointFormat.Invalid(path, $"is corrupt: its header claims {length} bytes.");
        byte[] json = reader.ReadBytes(length);
        try
        {
            var header = JsonSerializer.Deserialize(json, SparseDslJsonContext.Default.CheckpointHeader)
                ?? throw CheckpointFormat.Invalid(path, "has an empty header.");
            // Written before sparse storage: every layer was dense masked, and its state holds weight and mask.
            return RecordsStorage(json) ? header
                : header with { Recipe = header.Recipe with { Options = header.Recipe.Options with { Storage = WeightStorage.Dense } } };
        }
        catch (JsonException e)
        {
            throw CheckpointFormat.Invalid(path, $"has an unreadable header: {e.Message}", e);
        }
    }

    private static bool RecordsStorage(byte[] json)
    {
        using var document = JsonDocument.Parse(json);
        return Property(document.RootElement, "Recipe") is { } recipe
            && Property(recipe, "Options") is { } options
            && Property(options, nameof(ModelOptions.Storage)) is not null;
    }

    private static JsonElement? Property(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object
            ? element.EnumerateObject().Where(p => p.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(p => (JsonElement?)p.Value).FirstOrDefault()
            : null;

    private void Guard(Action read) => Guard(() =>
    {
        read();
        return true;
    });

    // Low-level read failures become one-line messages about this file; InvalidDataExceptions raised above pass through.
    private T Guard<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (EndOfStreamException e)
        {
            throw CheckpointFormat.Invalid(path, "is truncated: it ends in the middle of a section.", e);
        }
        catch (Exception e) when (e is FormatException or DecoderFallbackException)
        {
            throw CheckpointFormat.Invalid(path, $"is corrupt: {e.Message}", e);
        }
    }
}
