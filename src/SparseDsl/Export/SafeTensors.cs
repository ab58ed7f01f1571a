using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace SparseDsl.Export;

/// <summary>
/// The safetensors format (Hugging Face's), written and read here because no NuGet package the project can restore
/// does it: an 8-byte little-endian header length, a UTF-8 JSON header that maps each tensor's name to its dtype, shape
/// and <c>[begin, end)</c> byte offsets (plus a <c>__metadata__</c> map of strings), padded with spaces to a multiple of
/// 8 bytes, then the tensors' raw little-endian bytes, back to back. PyTorch, NumPy and the <c>safetensors</c> package
/// read these files as they are.
/// </summary>
public static class SafeTensors
{
    /// <summary>The header key of the string-to-string metadata map.</summary>
    public const string MetadataKey = "__metadata__";

    // A header longer than this is not a real one (the reference implementation's limit is 100 MB).
    private const long MaxHeaderBytes = 100_000_000;

    /// <summary>Writes <paramref name="tensors"/> (in order) and <paramref name="metadata"/> to <paramref name="path"/>, atomically.</summary>
    /// <exception cref="ArgumentException">A name is empty, repeated or reserved, or a tensor's dtype has no safetensors name.</exception>
    public static void Write(string path, IReadOnlyList<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors stores little-endian data; this machine is big-endian.");
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
        {
            var map = new JsonObject();
            foreach (var (key, value) in metadata) map[key] = value;
            header[MetadataKey] = map;
        }
        long offset = 0;
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, tensor) in tensors)
        {
            if (string.IsNullOrEmpty(name) || name == MetadataKey || !names.Add(name))
                throw new ArgumentException($"Tensor name '{name}' is empty, reserved or repeated.", nameof(tensors));
            long bytes = tensor.numel() * tensor.ElementSize;
            header[name] = new JsonObject
            {
                ["dtype"] = DtypeName(tensor.dtype, name),
                ["shape"] = new JsonArray(tensor.shape.Select(d => (JsonNode)d).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + bytes),
            };
            offset += bytes;
        }
        byte[] json = Encoding.UTF8.GetBytes(header.ToJsonString());
        int padded = (json.Length + 7) / 8 * 8;
        AtomicFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
            stream.Write(length);
            stream.Write(json);
            for (int i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
            foreach (var (_, tensor) in tensors)
            {
                using var cpu = tensor.detach().cpu().contiguous();
                stream.Write(cpu.bytes);
            }
        });
    }

    /// <summary>Reads the header of the safetensors file at <paramref name="path"/>, after checking every entry against the file.</summary>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not safetensors, or an entry is malformed or outside the data.</exception>
    public static SafeTensorsFile Open(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Safetensors file '{path}' does not exist.", path);
        using var file = File.OpenRead(path);
        Span<byte> prefix = stackalloc byte[8];
        if (file.ReadAtLeast(prefix, 8, throwOnEndOfStream: false) < 8) throw Invalid(path, "is too short to be a safetensors file");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength < 2 || headerLength > MaxHeaderBytes || (long)headerLength > file.Length - 8)
            throw Invalid(path, $"is not a safetensors file (its first 8 bytes give a header of {headerLength} bytes in a {file.Length}-byte file)");
        byte[] json = new byte[headerLength];
        file.ReadExactly(json);
        long dataStart = 8 + (long)headerLength, dataLength = file.Length - dataStart;

        JsonObject header;
        try
        {
            header = JsonNode.Parse(json) as JsonObject ?? throw Invalid(path, "has a header that is not a JSON object");
        }
        catch (JsonException e)
        {
            throw Invalid(path, $"has a header that is not JSON: {e.Message}", e);
        }
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var entries = new List<SafeTensorsEntry>();
        foreach (var (name, node) in header)
        {
            if (name == MetadataKey)
            {
                if (node is not JsonObject map) throw Invalid(path, $"has a {MetadataKey} that is not a map of strings");
                foreach (var (key, value) in map)
                    metadata[key] = value is JsonValue v && v.TryGetValue(out string? s) ? s : throw Invalid(path, $"has metadata '{key}' that is not a string");
                continue;
            }
            entries.Add(Entry(path, name, node, dataLength));
        }
        CheckCoverage(path, entries, dataLength);
        return new SafeTensorsFile(path, metadata, entries, dataStart);
    }

    private static SafeTensorsEntry Entry(string path, string name, JsonNode? node, long dataLength)
    {
        if (node is not JsonObject o) throw Invalid(path, $"has an entry '{name}' that is not an object");
        string dtypeName = o["dtype"] is JsonValue d && d.TryGetValue(out string? dn) ? dn : throw Invalid(path, $"gives '{name}' no dtype");
        var dtype = DtypeOf(dtypeName) ?? throw Invalid(path, $"gives '{name}' the dtype '{dtypeName}', which SparseDsl does not read");
        if (o["shape"] is not JsonArray shapeArray) throw Invalid(path, $"gives '{name}' no shape");
        long[] shape = shapeArray.Select(x => x is JsonValue v && v.TryGetValue(out long n) && n >= 0 ? n : throw Invalid(path, $"gives '{name}' a shape that is not a list of sizes")).ToArray();
        if (o["data_offsets"] is not JsonArray { Count: 2 } offsets
            || offsets[0] is not JsonValue b || !b.TryGetValue(out long begin) || offsets[1] is not JsonValue e || !e.TryGetValue(out long end)
            || begin < 0 || end < begin || end > dataLength)
            throw Invalid(path, $"gives '{name}' data offsets outside its {dataLength:N0} bytes of data");
        long elements = shape.Aggregate(1L, (a, x) => checked(a * x));
        long expected = elements * ElementSize(dtype);
        if (end - begin != expected)
            throw Invalid(path, $"gives '{name}' {end - begin:N0} bytes, but {dtypeName} [{string.Join(", ", shape)}] takes {expected:N0}");
        return new SafeTensorsEntry(name, dtype, shape, begin, end);
    }

    // The format forbids holes and overlaps: the entries tile the data exactly.
    private static void CheckCoverage(string path, List<SafeTensorsEntry> entries, long dataLength)
    {
        long position = 0;
        foreach (var entry in entries.OrderBy(x => x.Begin).ThenBy(x => x.End))
        {
            if (entry.Begin != position && entry.End != entry.Begin)
                throw Invalid(path, entry.Begin < position ? $"has '{entry.Name}' overlapping another tensor" : $"has unused bytes before '{entry.Name}'");
            position = Math.Max(position, entry.End);
        }
        if (position != dataLength) throw Invalid(path, $"has {dataLength - position:N0} bytes after its last tensor");
    }

    internal static InvalidDataException Invalid(string path, string problem, Exception? inner = null) => new($"Safetensors file '{path}' {problem}.", inner);

    /// <summary>The safetensors name of a dtype (<c>F32</c>, <c>I64</c>, …).</summary>
    /// <exception cref="ArgumentException">The dtype has none.</exception>
    public static string DtypeName(ScalarType dtype, string tensor = "") => dtype switch
    {
        ScalarType.Float32 => "F32",
        ScalarType.Float64 => "F64",
        ScalarType.Float16 => "F16",
        ScalarType.BFloat16 => "BF16",
        ScalarType.Int64 => "I64",
        ScalarType.Int32 => "I32",
        ScalarType.Int16 => "I16",
        ScalarType.Int8 => "I8",
        ScalarType.Byte => "U8",
        ScalarType.Bool => "BOOL",
        _ => throw new ArgumentException($"Tensor '{tensor}' has dtype {dtype}, which safetensors cannot store."),
    };

    private static ScalarType? DtypeOf(string name) => name switch
    {
        "F32" => ScalarType.Float32,
        "F64" => ScalarType.Float64,
        "F16" => ScalarType.Float16,
        "BF16" => ScalarType.BFloat16,
        "I64" => ScalarType.Int64,
        "I32" => ScalarType.Int32,
        "I16" => ScalarType.Int16,
        "I8" => ScalarType.Int8,
        "U8" => ScalarType.Byte,
        "BOOL" => ScalarType.Bool,
        _ => null,
    };

    internal static int ElementSize(ScalarType dtype) => dtype switch
    {
        ScalarType.Float64 or ScalarType.Int64 => 8,
        ScalarType.Float32 or ScalarType.Int32 => 4,
        ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Int16 => 2,
        _ => 1,
    };
}

/// <summary>One tensor's entry in a safetensors header.</summary>
/// <param name="Name">The tensor's name (a PyTorch state-dict key).</param>
/// <param name="Dtype">Its element type.</param>
/// <param name="Shape">Its shape.</param>
/// <param name="Begin">Where its bytes start, from the start of the data.</param>
/// <param name="End">Where they end.</param>
public sealed record SafeTensorsEntry(string Name, ScalarType Dtype, long[] Shape, long Begin, long End);

/// <summary>A safetensors file's checked header: metadata and entries; tensors are read on demand.</summary>
public sealed class SafeTensorsFile
{
    private readonly long _dataStart;
    private readonly Dictionary<string, SafeTensorsEntry> _byName;

    internal SafeTensorsFile(string path, IReadOnlyDictionary<string, string> metadata, IReadOnlyList<SafeTensorsEntry> entries, long dataStart)
    {
        Path = path;
        Metadata = metadata;
        Entries = entries;
        _dataStart = dataStart;
        _byName = entries.ToDictionary(e => e.Name, StringComparer.Ordinal);
    }

    /// <summary>The file's path.</summary>
    public string Path { get; }

    /// <summary>The <c>__metadata__</c> map (empty when the file has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Every tensor's entry, in header order.</summary>
    public IReadOnlyList<SafeTensorsEntry> Entries { get; }

    /// <summary>The entry named <paramref name="name"/>, or null.</summary>
    public SafeTensorsEntry? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>Reads the tensor named <paramref name="name"/> into a new CPU tensor.</summary>
    /// <exception cref="KeyNotFoundException">The file has no such tensor.</exception>
    public Tensor Read(string name)
    {
        var entry = Find(name) ?? throw new KeyNotFoundException($"Safetensors file '{Path}' has no tensor '{name}'.");
        var tensor = empty(entry.Shape, entry.Dtype);
        CopyInto(entry, tensor);
        return tensor;
    }

    /// <summary>Copies the bytes of <paramref name="entry"/> into <paramref name="target"/>, a contiguous CPU tensor of its dtype and shape.</summary>
    internal void CopyInto(SafeTensorsEntry entry, Tensor target)
    {
        using var file = File.OpenRead(Path);
        file.Position = _dataStart + entry.Begin;
        byte[] buffer = new byte[entry.End - entry.Begin];
        file.ReadExactly(buffer);
        target.bytes = buffer;
    }
}
