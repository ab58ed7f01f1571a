using SparseDsl.Data;

namespace SparseDsl.Experiments.Tokenization;

/// <summary>
/// The tokenizers the command line knows, by the name <c>--tokenizer</c> takes and token files and checkpoints record:
/// <c>bytes</c> (one token per UTF-8 byte, the default), <c>gpt2</c> and <c>cl100k</c>.
/// </summary>
public static class Tokenizers
{
    private static readonly Dictionary<string, Lazy<ITokenizer>> ByName = new(StringComparer.Ordinal)
    {
        [ByteTokenizer.Name] = new(() => ByteTokenizer.Instance),
        ["gpt2"] = new(TiktokenVocabulary.Gpt2),
        ["cl100k"] = new(TiktokenVocabulary.Cl100k),
    };

    /// <summary>The default: one token per byte, the README's run.</summary>
    public static string Default => ByteTokenizer.Name;

    /// <summary>Every name, in order, for help texts and error messages.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. ByName.Keys];

    /// <summary>The names as "bytes, gpt2 or cl100k".</summary>
    public static string Choices => $"{string.Join(", ", Names.Take(Names.Count - 1))} or {Names[^1]}";

    /// <summary>Whether <paramref name="name"/> names a tokenizer.</summary>
    public static bool IsKnown(string? name) => name is not null && ByName.ContainsKey(name);

    /// <summary>The tokenizer named <paramref name="name"/>; each is loaded once, on first use.</summary>
    /// <exception cref="ArgumentException">No tokenizer has that name; the message lists the names.</exception>
    public static ITokenizer Named(string name) =>
        name is not null && ByName.TryGetValue(name, out var tokenizer)
            ? tokenizer.Value
            : throw new ArgumentException($"Unknown tokenizer '{name}'; the example knows {Choices}.", nameof(name));
}
