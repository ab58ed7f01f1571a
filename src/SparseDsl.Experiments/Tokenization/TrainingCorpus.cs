using SparseDsl.Data;

namespace SparseDsl.Experiments.Tokenization;

/// <summary>
/// What a command trains on: a text file read one token per byte (<c>--data</c>, or the bundled corpus), or a token
/// file made by <c>prepare</c> (<c>--tokens</c>). It says which tokenizer made the tokens, the vocabulary the model
/// needs, and how a loss per token reads per byte.
/// </summary>
public sealed class TrainingCorpus : IDisposable
{
    private readonly TextCorpus? _text;
    private readonly TokenFile? _tokens;
    private readonly bool _owns;

    private TrainingCorpus(TextCorpus? text, TokenFile? tokens, bool owns)
    {
        _text = text;
        _tokens = tokens;
        _owns = owns;
    }

    /// <summary>The token file at <paramref name="tokens"/> when given, else the text at <paramref name="data"/> (or the bundled corpus).</summary>
    /// <exception cref="ArgumentException">Both are given.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is unusable (too short, not a token file, damaged).</exception>
    public static TrainingCorpus Open(string? data, string? tokens)
    {
        if (data is not null && tokens is not null)
            throw new ArgumentException("Give --data (text, one token per byte) or --tokens (a prepared token file), not both.");
        return tokens is null
            ? new(BundledCorpus.OpenOrDefault(data), null, owns: true)
            : new(null, TokenFile.Open(tokens), owns: true);
    }

    /// <summary>Text already open, read one token per byte; the caller keeps owning it.</summary>
    public static implicit operator TrainingCorpus(TextCorpus text) => new(text ?? throw new ArgumentNullException(nameof(text)), null, owns: false);

    /// <summary>The tokenizer that made the tokens (<c>bytes</c> for text).</summary>
    public string Tokenizer => _tokens?.Header.Tokenizer ?? ByteTokenizer.Name;

    /// <summary>The tokens' vocabulary size.</summary>
    public int VocabularySize => _tokens?.Header.VocabularySize ?? ByteTokenizer.VocabularySize;

    /// <summary>
    /// The model's <see cref="ModelOptions.Vocabulary"/> for this data: null for bytes (the example LMs' declared
    /// default, so a byte-level run's recipe is the same as before token files existed), else the tokenizer's.
    /// </summary>
    public int? ModelVocabulary => Tokenizer == ByteTokenizer.Name ? null : VocabularySize;

    /// <summary>Whether this is a token file (losses are then per token, with bits per byte beside them).</summary>
    public bool IsTokenFile => _tokens is not null;

    /// <summary>Where the data came from.</summary>
    public string Source => _tokens?.Path ?? _text!.Source;

    /// <summary>Batches of this data for one run.</summary>
    public NextTokenBatches Batches(int batch, int context, long seed, int validationBatches = 20) => _tokens is null
        ? new NextTokenBatches(_text!, batch, context, seed, validationBatches)
        : new NextTokenBatches(_tokens, batch, context, seed, validationBatches);

    /// <summary>How losses read for this data.</summary>
    public LossUnits Units => _tokens is null ? LossUnits.Bytes : LossUnits.Tokens(_tokens.Header);

    /// <summary>One line for the log: source, sizes and, for a token file, its tokenizer.</summary>
    public string Summary => _tokens is null
        ? $"Data: {_text!.Source} ({_text.Train.Length:N0} training bytes, {_text.Validation.Length:N0} validation bytes)"
        : $"Data: {_tokens.Path} ({_tokens.Header.TrainTokens:N0} training tokens, {_tokens.Header.ValidationTokens:N0} validation tokens; " +
          $"tokenizer {Tokenizer}, vocabulary {VocabularySize:N0}, {(double)_tokens.Header.ValidationBytes / Math.Max(1, _tokens.Header.ValidationTokens):0.00} bytes/token)";

    /// <summary>Refuses data made by another tokenizer than <paramref name="expected"/>, naming <paramref name="whose"/> expectation.</summary>
    /// <exception cref="InvalidDataException">The tokenizers differ.</exception>
    public void EnsureTokenizer(string expected, string whose)
    {
        if (Tokenizer != expected)
            throw new InvalidDataException($"{Source} holds {Tokenizer} tokens, but {whose} {expected} tokens; prepare the text with --tokenizer {expected}, or use a token file made by it.");
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_owns) return;
        _text?.Dispose();
        _tokens?.Dispose();
    }
}

/// <summary>How a loss reads: per byte for text, per token (with bits per byte) for a token file.</summary>
public sealed class LossUnits
{
    private readonly TokenFileHeader? _header;

    private LossUnits(TokenFileHeader? header) => _header = header;

    /// <summary>Text, one token per byte: nats per byte, as the README's figures.</summary>
    public static LossUnits Bytes { get; } = new(null);

    /// <summary>A token file's tokens: nats per token, and bits per byte from its validation part's bytes per token.</summary>
    public static LossUnits Tokens(TokenFileHeader header) => new(header ?? throw new ArgumentNullException(nameof(header)));

    /// <summary>"2.9891 nats/byte", or "6.1234 nats/token (2.3456 bits/byte)".</summary>
    public string Describe(double nats) => _header is null
        ? $"{nats:0.0000} nats/byte"
        : $"{nats:0.0000} nats/token ({_header.BitsPerByte(nats):0.0000} bits/byte)";

    /// <summary>Bits per byte of the loss (for text, nats/byte over ln 2).</summary>
    public double BitsPerByte(double nats) => _header?.BitsPerByte(nats) ?? nats / Math.Log(2);
}
