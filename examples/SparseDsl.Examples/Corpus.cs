using System.IO.Compression;
using static TorchSharp.torch;

namespace SparseDsl.Examples;

/// <summary>A byte-level corpus split into training and validation parts, with seeded random batches.</summary>
public sealed class Corpus
{
    private const string EmbeddedName = "SparseDsl.Examples.sotu.txt.gz";

    private Corpus(string source, byte[] bytes, double validationFraction)
    {
        if (bytes.Length < 10 * (NgramLm.Context + 1))
            throw new InvalidDataException($"{source} has {bytes.Length} bytes; at least {10 * (NgramLm.Context + 1)} are needed.");
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

    /// <summary>A batch of (<c>[batch, Context]</c> contexts, <c>[batch]</c> next bytes) at random positions of <paramref name="text"/>.</summary>
    public static (Tensor Contexts, Tensor Targets) Batch(ReadOnlyMemory<byte> text, int batch, Random random, Device device)
    {
        var span = text.Span;
        var contexts = new long[batch * NgramLm.Context];
        var targets = new long[batch];
        for (int b = 0; b < batch; b++)
        {
            int start = random.Next(0, span.Length - NgramLm.Context);
            for (int k = 0; k < NgramLm.Context; k++) contexts[b * NgramLm.Context + k] = span[start + k];
            targets[b] = span[start + NgramLm.Context];
        }
        return (tensor(contexts, [batch, NgramLm.Context], device: device), tensor(targets, device: device));
    }
}
