using SparseDsl.Data;
using SparseDsl.Experiments.Tokenization;

namespace SparseDsl.Tests.Tokenization;

/// <summary>The example's tokenizers by name: bytes, GPT-2 and cl100k_base (Microsoft.ML.Tokenizers and its data packages).</summary>
public sealed class TokenizerTests
{
    private const string Text = "Mr. President, Mr. Speaker, Members of the Congress: the state of the Union is strong. 1,234 — café\n\nNext.";

    [Fact]
    public void Bytes_is_the_default_and_one_token_per_utf8_byte()
    {
        var bytes = Tokenizers.Named(Tokenizers.Default);
        Assert.Same(ByteTokenizer.Instance, bytes);
        Assert.Equal("bytes", bytes.Name);
        Assert.Equal(256, bytes.VocabularySize);
        var ids = bytes.Encode(Text);
        Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(Text), ids.Count);
        Assert.Equal(Text, bytes.Decode(ids.Select(i => (long)i)));
    }

    [Theory]
    [InlineData("gpt2", 50_257, new[] { 15496, 995 })]
    [InlineData("cl100k", 100_277, new[] { 9906, 1917 })]
    public void Bpe_vocabularies_encode_known_ids_and_round_trip(string name, int vocabulary, int[] helloWorld)
    {
        var tokenizer = Tokenizers.Named(name);
        Assert.Equal(name, tokenizer.Name);
        Assert.Equal(vocabulary, tokenizer.VocabularySize);
        Assert.Equal(helloWorld, tokenizer.Encode("Hello world"));
        var ids = tokenizer.Encode(Text);
        Assert.True(ids.Count < System.Text.Encoding.UTF8.GetByteCount(Text) / 2, $"{ids.Count} tokens: BPE should merge most bytes");
        Assert.All(ids, id => Assert.InRange(id, 0, vocabulary - 1));
        Assert.Equal(Text, tokenizer.Decode(ids.Select(i => (long)i)));
    }

    [Theory]
    [InlineData("gpt2")]
    [InlineData("cl100k")]
    public void The_written_mergeable_count_matches_the_tokenizer_at_both_ends(string name)
    {
        var tokenizer = (TiktokenVocabulary)Tokenizers.Named(name);
        Assert.NotEqual("", tokenizer.Decode([tokenizer.MergeableTokens - 1]));
        // The first id past the merges is a special token (GPT-2) or a gap that decodes to nothing (cl100k).
        string next = tokenizer.Decode([tokenizer.MergeableTokens]);
        Assert.True(next == "" || tokenizer.SpecialTokens.ContainsKey(next), $"id {tokenizer.MergeableTokens} decodes to '{next}'");
        Assert.Equal(tokenizer.VocabularySize - 1, Math.Max(tokenizer.MergeableTokens - 1, tokenizer.SpecialTokens.Values.Max()));
        Assert.Equal(tokenizer.SpecialTokens["<|endoftext|>"], tokenizer.Encode("<|endoftext|>").Single());
    }

    [Fact]
    public void Ids_outside_the_vocabulary_are_refused_when_decoding()
    {
        var gpt2 = Tokenizers.Named("gpt2");
        Assert.Throws<ArgumentOutOfRangeException>(() => gpt2.Decode([50_257]));
        Assert.Throws<ArgumentOutOfRangeException>(() => gpt2.Decode([-1]));
    }

    [Fact]
    public void An_unknown_name_is_refused_with_the_choices()
    {
        var e = Assert.Throws<ArgumentException>(() => Tokenizers.Named("llama3"));
        Assert.Contains("Unknown tokenizer 'llama3'; the example knows bytes, gpt2 or cl100k.", e.Message);
        Assert.False(Tokenizers.IsKnown("GPT2")); // names are exact: a token file records one spelling
    }
}
