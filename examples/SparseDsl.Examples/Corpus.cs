using System.IO.Compression;
using static TorchSharp.torch;

namespace SparseDsl.Examples;

/// <summary>A byte-level corpus split into training and validation parts, with seeded random batches.</summary>
public sealed class Corpus
{
    private const string EmbeddedName = "SparseDsl.Examples.sotu.txt.gz";

    /// <summary>The fewest bytes a corpus may have: enough for validation sequences of the longest default context.</summary>
    public const int MinimumBytes = 10_000;

    private Corpus(string source, byte[] bytes, double validationFraction)
    {
        if (bytes.Length < MinimumBytes)
            throw new InvalidDataException($"{source} has {bytes.Length} bytes; at least {MinimumBytes} are needed.");
        Source = source;
        int split = (int)(bytes.Length * (1 - validationFraction));
        Train = bytes.AsMemory(0, split);
        Validation = bytes.AsMemory(split);
    }

    /// <summary>Where the text came from.</summary>
    public string Source { get; }

    /// <summary>The first part of the text.</summary>
    public ReadOnlyMemory<byte> Train { get; }

    /// <summary>The held-out last part of the text.</summary>
    public ReadOnlyMemory<byte> Validation { get; }

    /// <summary>The bundled State of the Union corpus (public domain; see Data/PROVENANCE.md).</summary>
    public static Corpus Bundled(double validationFraction = 0.05)
    {
        using var resource = typeof(Corpus).Assembly.GetManifestResourceStream(EmbeddedName)
            ?? throw new InvalidOperationException($"The bundled corpus resource '{EmbeddedName}' is missing from the build.");
        using var gzip = new GZipStream(resource, CompressionMode.Decompress);
        using var buffer = new MemoryStream();
        gzip.CopyTo(buffer);
        return new Corpus("bundled State of the Union corpus", buffer.ToArray(), validationFraction);
    }

    /// <summary>Any text file, read as raw bytes (.gz files are decompressed).</summary>
    public static Corpus FromFile(string path, double validationFraction = 0.05)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Data file '{path}' does not exist.", path);
        byte[] bytes = File.ReadAllBytes(path);
        if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
        {
            using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
            using var buffer = new MemoryStream();
            gzip.CopyTo(buffer);
            bytes = buffer.ToArray();
        }
        return new Corpus(path, bytes, validationFraction);
    }

    /// <summary>
    /// A batch of <c>[batch, length]</c> byte sequences at random positions of <paramref name="text"/> and their
    /// next-byte targets (the same sequences shifted by one).
    /// </summary>
    public static (Tensor Inputs, Tensor Targets) Sequences(ReadOnlyMemory<byte> text, int batch, int length, Random random, Device device)
    {
        var span = text.Span;
        if (span.Length <= length + 1)
            throw new InvalidDataException($"The text has {span.Length} bytes, too few for sequences of {length}.");
        var inputs = new long[batch * length];
        var targets = new long[batch * length];
        for (int b = 0; b < batch; b++)
        {
            int start = random.Next(0, span.Length - length - 1);
            for (int k = 0; k < length; k++)
            {
                inputs[b * length + k] = span[start + k];
                targets[b * length + k] = span[start + k + 1];
            }
        }
        return (tensor(inputs, [batch, length], device: device), tensor(targets, [batch, length], device: device));
    }
}
