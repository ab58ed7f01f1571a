using System.Text;

namespace SparseDsl.Data;

/// <summary>
/// The simplest tokenizer that handles any text: one token per UTF-8 byte, so the vocabulary is always 256 and
/// nothing is ever out of vocabulary.
/// </summary>
public static class ByteTokenizer
{
    /// <summary>The vocabulary size: every byte value.</summary>
    public const int VocabularySize = 256;

    /// <summary>The name token files and checkpoints record for this tokenizer.</summary>
    public const string Name = "bytes";

    /// <summary>This tokenizer as an <see cref="ITokenizer"/>, for code that takes any tokenizer.</summary>
    public static ITokenizer Instance { get; } = new AsTokenizer();

    /// <summary>The UTF-8 bytes of <paramref name="text"/> as token ids.</summary>
    public static long[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Encoding.UTF8.GetBytes(text).Select(b => (long)b).ToArray();
    }

    /// <summary>
    /// Token ids back to text. Sampled bytes need not form valid UTF-8, so invalid sequences become U+FFFD rather
    /// than throwing. Throws <see cref="ArgumentOutOfRangeException"/> for an id outside [0, 256).
    /// </summary>
    public static string Decode(IEnumerable<long> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var bytes = tokens.Select(t => t is >= 0 and < VocabularySize
            ? (byte)t
            : throw new ArgumentOutOfRangeException(nameof(tokens), t, $"A byte token must be in [0, {VocabularySize}).")).ToArray();
        return Encoding.UTF8.GetString(bytes);
    }

    private sealed class AsTokenizer : ITokenizer
    {
        public string Name => ByteTokenizer.Name;

        public int VocabularySize => ByteTokenizer.VocabularySize;

        public IReadOnlyList<int> Encode(string text)
        {
            ArgumentNullException.ThrowIfNull(text);
            return Encoding.UTF8.GetBytes(text).Select(b => (int)b).ToArray();
        }

        public string Decode(IEnumerable<long> tokens) => ByteTokenizer.Decode(tokens);
    }
}
