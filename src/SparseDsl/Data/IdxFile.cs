using System.Buffers.Binary;
using System.IO.Compression;

namespace SparseDsl.Data;

/// <summary>
/// An IDX file of unsigned bytes (LeCun's MNIST format, also Fashion-MNIST's): a 4-byte magic number (two zero bytes,
/// the element type <c>0x08</c>, the number of dimensions), each dimension as a big-endian 32-bit integer, then the
/// elements in row-major order. Files may be gzip-compressed (detected by their first bytes, not their name).
/// </summary>
/// <remarks>
/// Reading checks everything the header promises: a wrong magic number, an element type other than unsigned bytes, a
/// file cut short (in the header or the data) and bytes past the end are each an <see cref="InvalidDataException"/>
/// naming the file and what was expected.
/// </remarks>
public sealed class IdxFile
{
    /// <summary>The element type code of unsigned bytes, the only one supported.</summary>
    public const byte UnsignedByte = 0x08;

    private static readonly Dictionary<byte, string> OtherTypes = new()
    {
        [0x09] = "signed bytes", [0x0B] = "16-bit integers", [0x0C] = "32-bit integers", [0x0D] = "32-bit floats", [0x0E] = "64-bit floats",
    };

    private readonly int[] dimensions;
    private readonly byte[] data;

    /// <summary>An IDX array of <paramref name="dimensions"/> holding <paramref name="data"/> (row-major; kept, not copied).</summary>
    /// <exception cref="ArgumentException">No dimensions, more than 255, a negative one, or a data length that is not their product.</exception>
    public IdxFile(IReadOnlyList<int> dimensions, byte[] data)
    {
        ArgumentNullException.ThrowIfNull(dimensions);
        ArgumentNullException.ThrowIfNull(data);
        if (dimensions.Count is 0 or > 255) throw new ArgumentException($"An IDX file has 1 to 255 dimensions, not {dimensions.Count}.", nameof(dimensions));
        if (dimensions.Any(d => d < 0)) throw new ArgumentException($"Dimensions cannot be negative: [{string.Join(", ", dimensions)}].", nameof(dimensions));
        long expected = Product(dimensions);
        if (expected != data.Length)
            throw new ArgumentException($"Dimensions [{string.Join(", ", dimensions)}] hold {expected:N0} elements, but {data.Length:N0} bytes were given.", nameof(data));
        this.dimensions = [.. dimensions];
        this.data = data;
    }

    /// <summary>The size of each dimension, outermost first (for images: count, rows, columns).</summary>
    public IReadOnlyList<int> Dimensions => dimensions;

    /// <summary>The elements, row-major.</summary>
    public ReadOnlyMemory<byte> Data => data;

    /// <summary>Reads an IDX file, plain or gzip-compressed.</summary>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not a well-formed IDX file of unsigned bytes (the message says why).</exception>
    public static IdxFile Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"IDX file '{path}' does not exist.", path);
        using var file = File.OpenRead(path);
        return Read(file, path);
    }

    /// <summary>Reads an IDX array from <paramref name="stream"/> (plain or gzip) to its end; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="InvalidDataException">The stream is not a well-formed IDX array of unsigned bytes.</exception>
    public static IdxFile Read(Stream stream, string source)
    {
        ArgumentNullException.ThrowIfNull(stream);
        byte[] bytes = ReadAll(stream, source);
        if (bytes.Length == 0) throw new InvalidDataException($"IDX file '{source}' is empty.");
        if (bytes.Length < 4) throw new InvalidDataException($"IDX file '{source}' is truncated: {bytes.Length} bytes, shorter than the 4-byte magic number.");
        if (bytes[0] != 0 || bytes[1] != 0)
            throw new InvalidDataException($"'{source}' is not an IDX file: its magic number starts 0x{bytes[0]:X2} 0x{bytes[1]:X2}, not two zero bytes.");
        byte type = bytes[2];
        if (type != UnsignedByte)
            throw new InvalidDataException(OtherTypes.TryGetValue(type, out var name)
                ? $"IDX file '{source}' holds {name} (type 0x{type:X2}); only unsigned bytes (0x08) are supported."
                : $"'{source}' is not an IDX file: its magic number has element type 0x{type:X2}, which IDX does not define.");
        int rank = bytes[3];
        if (rank == 0) throw new InvalidDataException($"IDX file '{source}' declares 0 dimensions.");
        int header = 4 + 4 * rank;
        if (bytes.Length < header)
            throw new InvalidDataException($"IDX file '{source}' is truncated: its {rank} dimensions need a {header}-byte header, but the file has {bytes.Length} bytes.");
        var dimensions = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            uint size = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(4 + 4 * i, 4));
            if (size > int.MaxValue) throw new InvalidDataException($"IDX file '{source}': dimension {i} is {size:N0}, too large to be real.");
            dimensions[i] = (int)size;
        }
        long expected = Product(dimensions);
        long found = bytes.Length - header;
        if (found < expected)
            throw new InvalidDataException($"IDX file '{source}' is truncated: dimensions [{string.Join(", ", dimensions)}] need {expected:N0} bytes of data, but only {found:N0} follow the header.");
        if (found > expected)
            throw new InvalidDataException($"IDX file '{source}' has {found - expected:N0} bytes past the end of its data (dimensions [{string.Join(", ", dimensions)}], {expected:N0} bytes).");
        return new IdxFile(dimensions, bytes[header..]);
    }

    /// <summary>Writes the file, gzip-compressed when <paramref name="path"/> ends in <c>.gz</c>; the folder is created if needed.</summary>
    public void Write(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null) Directory.CreateDirectory(folder);
        using var file = File.Create(path);
        if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
        {
            using var gzip = new GZipStream(file, CompressionLevel.SmallestSize);
            Write(gzip);
        }
        else
        {
            Write(file);
        }
    }

    /// <summary>Writes the header and the data, uncompressed, to <paramref name="stream"/>.</summary>
    public void Write(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var header = new byte[4 + 4 * dimensions.Length];
        header[2] = UnsignedByte;
        header[3] = (byte)dimensions.Length;
        for (int i = 0; i < dimensions.Length; i++) BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 + 4 * i, 4), dimensions[i]);
        stream.Write(header);
        stream.Write(data);
    }

    private static long Product(IReadOnlyList<int> dimensions)
    {
        long product = 1;
        foreach (int d in dimensions) product = checked(product * d);
        return product;
    }

    // Gzip is recognised by its magic bytes 1F 8B, so a decompressed file named .gz (or the reverse) still reads.
    private static byte[] ReadAll(Stream stream, string source)
    {
        var raw = new MemoryStream();
        stream.CopyTo(raw);
        if (raw.Length < 2 || raw.GetBuffer()[0] != 0x1F || raw.GetBuffer()[1] != 0x8B) return raw.ToArray();
        raw.Position = 0;
        try
        {
            using var gunzip = new GZipStream(raw, CompressionMode.Decompress);
            var output = new MemoryStream();
            gunzip.CopyTo(output);
            return output.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"IDX file '{source}' is not valid gzip: {e.Message}", e);
        }
    }
}
