using System.CommandLine;
using SparseDsl.Data;
using SparseDsl.Experiments.Tokenization;

namespace SparseDsl.Examples.Cli;

/// <summary>
/// <c>--tokens FILE</c> (a token file made by <c>prepare</c>) and <c>--tokenizer NAME</c> (the tokenizer the run expects),
/// shared by <c>train</c>, <c>coord-check</c> and <c>sweep</c>. The token file's header says which tokenizer made it and so
/// the model's vocabulary; a <c>--tokenizer</c> that says otherwise is refused.
/// </summary>
internal sealed class CorpusArguments
{
    public Option<string?> Tokens { get; } = new("--tokens") { Description = "Train on this token file (made by prepare) instead of text; its tokenizer sets the vocabulary" };

    public Option<string?> Tokenizer { get; } = TokenizerOption("The tokenizer the token file must have been made by (default: whichever made it; bytes for text)", required: false);

    public IEnumerable<Option> All => [Tokens, Tokenizer];

    /// <summary><c>--tokenizer</c>: one of <see cref="Tokenizers.Names"/>, checked when the command line is parsed.</summary>
    public static Option<string?> TokenizerOption(string description, bool required) => CliOptions.Checked(
        new Option<string?>("--tokenizer") { Description = $"{description}: {Tokenizers.Choices}", Required = required },
        v => Tokenizers.IsKnown(v), $"{Tokenizers.Choices}");

    /// <summary>The data part of a run config: the token file, its tokenizer and the vocabulary it gives the model.</summary>
    /// <exception cref="InvalidDataException">The token file is unusable, or was made by another tokenizer than <c>--tokenizer</c> names.</exception>
    /// <exception cref="ArgumentException">A BPE <c>--tokenizer</c> without a token file.</exception>
    public RunConfig Bind(ParseResult result, RunConfig config)
    {
        string? tokens = result.GetValue(Tokens);
        string? expected = result.GetValue(Tokenizer);
        if (tokens is null)
        {
            if (expected is not null && expected != ByteTokenizer.Name)
                throw new ArgumentException($"--tokenizer {expected} reads a token file: make one with 'prepare --tokenizer {expected} --data FILE --out FILE.tokens', then pass --tokens FILE.tokens.");
            return config with { Tokens = null, Tokenizer = ByteTokenizer.Name, Vocabulary = null };
        }
        if (config.Data is not null)
            throw new ArgumentException("Give --data (text, one token per byte) or --tokens (a prepared token file), not both.");
        var header = CheckedHeader(tokens);
        if (expected is not null && expected != header.Tokenizer)
            throw new InvalidDataException($"Token file '{tokens}' holds {header.Tokenizer} tokens, not {expected} tokens; prepare the text again with --tokenizer {expected}.");
        return config with
        {
            Tokens = tokens,
            Tokenizer = header.Tokenizer,
            Vocabulary = header.Tokenizer == ByteTokenizer.Name ? null : header.VocabularySize,
        };
    }

    /// <summary>The token file's header, after checking that this example knows its tokenizer and that the vocabulary agrees.</summary>
    /// <exception cref="InvalidDataException">The file is unusable, its tokenizer unknown, or its vocabulary not the tokenizer's.</exception>
    public static TokenFileHeader CheckedHeader(string tokens)
    {
        var header = TokenFile.ReadHeader(tokens);
        if (!Tokenizers.IsKnown(header.Tokenizer))
            throw new InvalidDataException($"Token file '{tokens}' was made by tokenizer '{header.Tokenizer}', which this example does not know ({Tokenizers.Choices}).");
        int vocabulary = Tokenizers.Named(header.Tokenizer).VocabularySize;
        if (header.VocabularySize != vocabulary)
            throw new InvalidDataException($"Token file '{tokens}' records a {header.Tokenizer} vocabulary of {header.VocabularySize:N0}, but {header.Tokenizer} has {vocabulary:N0}: it is damaged; prepare it again.");
        return header;
    }
}
