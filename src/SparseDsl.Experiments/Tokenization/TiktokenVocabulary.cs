using Microsoft.ML.Tokenizers;
using SparseDsl.Data;

namespace SparseDsl.Experiments.Tokenization;

/// <summary>
/// A BPE vocabulary of OpenAI's tiktoken (GPT-2's 50,257 tokens, cl100k_base's 100,277), through
/// Microsoft.ML.Tokenizers and its data packages, which ship the vocabulary files: nothing is downloaded.
/// </summary>
public sealed class TiktokenVocabulary : ITokenizer
{
    private readonly TiktokenTokenizer _tokenizer;

    private TiktokenVocabulary(string name, TiktokenTokenizer tokenizer, int mergeableTokens)
    {
        Name = name;
        _tokenizer = tokenizer;
        MergeableTokens = mergeableTokens;
        // Special tokens (<|endoftext|>, …) sit at or above the merges, cl100k's with gaps; the embedding needs a row
        // for every id either can give.
        int largest = mergeableTokens - 1;
        if (tokenizer.SpecialTokens is { Count: > 0 } special) largest = Math.Max(largest, special.Values.Max());
        VocabularySize = largest + 1;
    }

    // Microsoft.ML.Tokenizers 2.0 does not expose the mergeable vocabulary's size, so it is written here, from the
    // tiktoken files the data packages ship (ids 0 … n − 1); a test checks both ends against the tokenizer.
    /// <summary>GPT-2's vocabulary: 50,256 byte-pair tokens and <c>&lt;|endoftext|&gt;</c> (50,256).</summary>
    public static TiktokenVocabulary Gpt2() => new("gpt2", TiktokenTokenizer.CreateForModel("gpt2"), mergeableTokens: 50_256);

    /// <summary>cl100k_base, the vocabulary of GPT-3.5 and GPT-4: 100,256 byte-pair tokens and special tokens up to 100,276.</summary>
    public static TiktokenVocabulary Cl100k() => new("cl100k", TiktokenTokenizer.CreateForEncoding("cl100k_base"), mergeableTokens: 100_256);

    /// <summary>The byte-pair tokens, ids 0 … <c>MergeableTokens − 1</c>; special tokens come after.</summary>
    public int MergeableTokens { get; }

    /// <summary>The special tokens and their ids.</summary>
    public IReadOnlyDictionary<string, int> SpecialTokens => _tokenizer.SpecialTokens ?? new Dictionary<string, int>();

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public int VocabularySize { get; }

    /// <inheritdoc />
    public IReadOnlyList<int> Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return _tokenizer.EncodeToIds(text);
    }

    /// <inheritdoc />
    public string Decode(IEnumerable<long> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var ids = tokens.Select(t => t >= 0 && t < VocabularySize
            ? (int)t
            : throw new ArgumentOutOfRangeException(nameof(tokens), t, $"A {Name} token must be in [0, {VocabularySize}).")).ToList();
        return _tokenizer.Decode(ids);
    }
}
