namespace SparseDsl.Data;

/// <summary>
/// What a token file holds: which tokenizer made it, the vocabulary, how wide each token is, and the sizes of its
/// training and validation parts in tokens and in the bytes of text they came from (for bits per byte).
/// </summary>
/// <param name="Tokenizer">The tokenizer's name (<see cref="ITokenizer.Name"/>): what a model trained on the file must decode with.</param>
/// <param name="VocabularySize">The tokenizer's vocabulary: every token is below it.</param>
/// <param name="TokenBytes">2 (uint16) or 4 (uint32), little-endian: 2 whenever the vocabulary fits.</param>
/// <param name="TrainTokens">Tokens in the training part (first in the file).</param>
/// <param name="ValidationTokens">Tokens in the held-out part (after the training part).</param>
/// <param name="TrainBytes">UTF-8 bytes of text the training tokens came from.</param>
/// <param name="ValidationBytes">UTF-8 bytes of text the validation tokens came from.</param>
/// <param name="Source">The text file's name (or a description of the bundled text), for messages.</param>
public sealed record TokenFileHeader(
    string Tokenizer,
    int VocabularySize,
    int TokenBytes,
    long TrainTokens,
    long ValidationTokens,
    long TrainBytes,
    long ValidationBytes,
    string Source)
{
    /// <summary>The token width a vocabulary needs: 2 bytes up to 65,536 tokens, else 4.</summary>
    public static int TokenBytesFor(int vocabularySize) => vocabularySize <= 1 << 16 ? 2 : 4;

    /// <summary>
    /// A loss in nats per token of the validation part as bits per byte of the text it came from: what compares across
    /// tokenizers (<c>nats · tokens / (bytes · ln 2)</c>, with the validation part's average bytes per token).
    /// </summary>
    public double BitsPerByte(double natsPerToken) => natsPerToken * ValidationTokens / (ValidationBytes * Math.Log(2));

    /// <summary>Throws unless every field is possible; <paramref name="path"/> names the file in the message.</summary>
    /// <exception cref="InvalidDataException">A field is out of range or contradicts another.</exception>
    public void Validate(string path)
    {
        string? problem =
            string.IsNullOrWhiteSpace(Tokenizer) ? "names no tokenizer" :
            VocabularySize <= 0 ? $"has a vocabulary of {VocabularySize}" :
            TokenBytes is not (2 or 4) ? $"has {TokenBytes}-byte tokens (2 or 4 expected)" :
            TokenBytes == 2 && VocabularySize > 1 << 16 ? $"stores a vocabulary of {VocabularySize:N0} in 2-byte tokens" :
            TrainTokens < 0 || ValidationTokens < 0 || TrainBytes < 0 || ValidationBytes < 0 ? "has a negative size" :
            ValidationTokens > 0 && ValidationBytes == 0 ? "has validation tokens from no text" :
            null;
        if (problem is not null) throw new InvalidDataException($"Token file '{path}' {problem}: it is damaged; prepare it again.");
    }
}
