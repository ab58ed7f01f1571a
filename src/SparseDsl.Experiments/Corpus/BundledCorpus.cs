using SparseDsl.Data;

namespace SparseDsl.Experiments;

/// <summary>The training text: the bundled State of the Union corpus unless the user names a file.</summary>
public static class BundledCorpus
{
    private const string EmbeddedName = "SparseDsl.Experiments.sotu.txt.gz";

    /// <summary>How the bundled corpus is named in messages.</summary>
    public const string Description = "bundled State of the Union corpus";

    /// <summary>The bundled corpus (public domain; see Corpus/PROVENANCE.md), held out as the runtime's default 5%.</summary>
    public static TextCorpus Open()
    {
        using var resource = typeof(BundledCorpus).Assembly.GetManifestResourceStream(EmbeddedName)
            ?? throw new InvalidOperationException($"The bundled corpus resource '{EmbeddedName}' is missing from the build.");
        return TextCorpus.FromBytes(Description, TextCorpus.Decompress(resource, Description));
    }

    /// <summary><paramref name="path"/> when given (text or .gz), else the bundled corpus.</summary>
    public static TextCorpus OpenOrDefault(string? path) => path is null ? Open() : TextCorpus.Open(path);
}
