using System.IO.Compression;
using System.IO.MemoryMappedFiles;

namespace SparseDsl.Data;

/// <summary>
/// A text file as bytes, split into a training part and a held-out validation part (the last
/// <c>validationFraction</c> of the file). Plain files are memory-mapped rather than read, so a corpus may be larger
/// than memory; <c>.gz</c> files are decompressed into memory.
/// </summary>
public sealed class TextCorpus : IDisposable
{
    /// <summary>The fewest bytes a corpus may have: enough for a validation split that holds real sequences.</summary>
    public const int MinimumBytes = 10_000;

    private readonly IDisposable? _mapping;

    private TextCorpus(string source, ByteText all, double validationFraction, IDisposable? mapping)
    {
        _mapping = mapping;
        if (all.Length < MinimumBytes)
        {
            mapping?.Dispose();
            throw new InvalidDataException(all.Length == 0
                ? $"Data file '{source}' is empty."
                : $"Data file '{source}' has {all.Length:N0} bytes; at least {MinimumBytes:N0} are needed.");
        }
        Source = source;
        Text = all;
        long split = (long)(all.Length * (1 - validationFraction));
        Train = all.Slice(0, split);
        Validation = all.Slice(split, all.Length - split);
    }

    /// <summary>Where the text came from (a path, or a description of embedded text).</summary>
    public string Source { get; }

    /// <summary>The whole text: <see cref="Train"/> followed by <see cref="Validation"/>.</summary>
    public ByteText Text { get; }

    /// <summary>The first part of the text, for training.</summary>
    public ByteText Train { get; }

    /// <summary>The held-out last part of the text.</summary>
    public ByteText Validation { get; }

    /// <summary>Opens a text file (<c>.gz</c> is decompressed). Missing, empty or too-short files are clear errors.</summary>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is empty, too short, or not valid gzip.</exception>
    public static TextCorpus Open(string path, double validationFraction = 0.05)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        CheckFraction(validationFraction);
        if (!File.Exists(path)) throw new FileNotFoundException($"Data file '{path}' does not exist.", path);
        if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
        {
            using var file = File.OpenRead(path);
            return FromBytes(path, Decompress(file, path), validationFraction);
        }
        long length = new FileInfo(path).Length;
        if (length == 0) throw new InvalidDataException($"Data file '{path}' is empty.");
        var mapping = MemoryMappedFile.CreateFromFile(path, FileMode.Open, mapName: null, 0, MemoryMappedFileAccess.Read);
        var view = mapping.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
        return new TextCorpus(path, ByteText.FromMapped(view, 0, length), validationFraction, new Mapping(mapping, view));
    }

    /// <summary>Text already in memory, described by <paramref name="source"/> in messages.</summary>
    public static TextCorpus FromBytes(string source, byte[] bytes, double validationFraction = 0.05)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        CheckFraction(validationFraction);
        return new TextCorpus(source, ByteText.FromMemory(bytes), validationFraction, mapping: null);
    }

    /// <summary>A gzip stream's content; a corrupt stream is an <see cref="InvalidDataException"/> naming <paramref name="source"/>.</summary>
    public static byte[] Decompress(Stream compressed, string source)
    {
        try
        {
            using var gzip = new GZipStream(compressed, CompressionMode.Decompress, leaveOpen: true);
            using var buffer = new MemoryStream();
            gzip.CopyTo(buffer);
            return buffer.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"Data file '{source}' is not valid gzip: {e.Message}", e);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _mapping?.Dispose();

    private static void CheckFraction(double validationFraction)
    {
        if (!(validationFraction > 0 && validationFraction < 0.5))
            throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction, "The validation fraction must be in (0, 0.5).");
    }

    private sealed class Mapping(MemoryMappedFile file, MemoryMappedViewAccessor view) : IDisposable
    {
        public void Dispose()
        {
            view.Dispose();
            file.Dispose();
        }
    }
}
