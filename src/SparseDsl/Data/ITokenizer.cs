namespace SparseDsl.Data;

/// <summary>
/// Text to token ids and back, under a name that token files and checkpoints record, so data, model and sampler can be
/// checked to agree. <see cref="ByteTokenizer.Instance"/> is the one the runtime ships; others (BPE vocabularies) come
/// from libraries.
/// </summary>
public interface ITokenizer
{
    /// <summary>The name recorded in token files and checkpoints (<c>bytes</c>, <c>gpt2</c>, <c>cl100k</c>).</summary>
    string Name { get; }

    /// <summary>One more than the largest id <see cref="Encode"/> can return: the rows an embedding needs.</summary>
    int VocabularySize { get; }

    /// <summary>The token ids of <paramref name="text"/>.</summary>
    IReadOnlyList<int> Encode(string text);

    /// <summary>
    /// Token ids back to text. Sampled ids need not end on a character boundary, so an incomplete character becomes
    /// U+FFFD rather than an error.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An id outside [0, <see cref="VocabularySize"/>).</exception>
    string Decode(IEnumerable<long> tokens);
}
