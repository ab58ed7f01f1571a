using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;
using System.Text;
using System.Text.Json;

namespace SparseDsl.Data;

/// <summary>
/// A corpus tokenized once, for training without tokenizing again: a header that records the tokenizer, then the
/// training part's tokens and the validation part's, memory-mapped when read, so a corpus may be larger than memory.
/// </summary>
/// <remarks>
/// Layout (little-endian): the magic <c>SDSLTOKN</c> (8 ASCII bytes), the format version (int32), the
/// <see cref="TokenFileHeader"/> as UTF-8 JSON prefixed by its byte length (int32), zero padding up to byte
/// <see cref="DataOffset"/>, then every token as a uint16 or uint32 (<see cref="TokenFileHeader.TokenBytes"/>): the
/// training part, then the validation part. A fixed data offset lets a reader in any language map the tokens directly
/// (<c>numpy.memmap(path, dtype, offset=4096)</c>).
/// </remarks>
public sealed class TokenFile : IDisposable
{
    /// <summary>The on-disk format version this build writes and reads.</summary>
    public const int CurrentFormatVersion = 1;

    /// <summary>Where the tokens start.</summary>
    public const int DataOffset = 4096;

    private static ReadOnlySpan<byte> Magic => "SDSLTOKN"u8;

    private readonly MemoryMappedFile _mapping;
    private readonly MemoryMappedViewAccessor _view;

    private TokenFile(string path, TokenFileHeader header, MemoryMappedFile mapping, MemoryMappedViewAccessor view)
    {
        Path = path;
        Header = header;
        _mapping = mapping;
        _view = view;
        long validationStart = DataOffset + header.TrainTokens * header.TokenBytes;
        Train = new TokenRange(view, DataOffset, header.TrainTokens, header.TokenBytes, header.VocabularySize, path);
        Validation = new TokenRange(view, validationStart, header.ValidationTokens, header.TokenBytes, header.VocabularySize, path);
    }

    /// <summary>The file's path.</summary>
    public string Path { get; }

    /// <summary>What the file holds.</summary>
    public TokenFileHeader Header { get; }

    /// <summary>The training part's tokens.</summary>
    public TokenRange Train { get; }

    /// <summary>The held-out part's tokens.</summary>
    public TokenRange Validation { get; }

    /// <summary>Opens a token file for reading, after checking that it is whole.</summary>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not a token file, is of another format version, is damaged or truncated.</exception>
    public static TokenFile Open(string path)
    {
        var header = ReadHeader(path);
        long length = new FileInfo(path).Length;
        var mapping = MemoryMappedFile.CreateFromFile(path, FileMode.Open, mapName: null, 0, MemoryMappedFileAccess.Read);
        try
        {
            var view = mapping.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
            return new TokenFile(path, header, mapping, view);
        }
        catch
        {
            mapping.Dispose();
            throw;
        }
    }

    /// <summary>Reads only the header of the token file at <paramref name="path"/>, after checking that the file is whole.</summary>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not a token file, is of another format version, is damaged or truncated.</exception>
    public static TokenFileHeader ReadHeader(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Token file '{path}' does not exist.", path);
        using var file = File.OpenRead(path);
        Span<byte> start = stackalloc byte[Magic.Length + 2 * sizeof(int)];
        if (file.ReadAtLeast(start, start.Length, throwOnEndOfStream: false) < start.Length || !start[..Magic.Length].SequenceEqual(Magic))
            throw new InvalidDataException($"'{path}' is not a SparseDsl token file (make one with the 'prepare' command).");
        int version = BinaryPrimitives.ReadInt32LittleEndian(start[Magic.Length..]);
        if (version != CurrentFormatVersion)
            throw new InvalidDataException($"Token file '{path}' has format version {version}; this build reads version {CurrentFormatVersion}. Prepare it again.");
        int jsonLength = BinaryPrimitives.ReadInt32LittleEndian(start[(Magic.Length + sizeof(int))..]);
        if (jsonLength <= 0 || start.Length + jsonLength > DataOffset)
            throw new InvalidDataException($"Token file '{path}' has a damaged header (length {jsonLength}); prepare it again.");
        byte[] json = new byte[jsonLength];
        if (file.ReadAtLeast(json, jsonLength, throwOnEndOfStream: false) < jsonLength)
            throw new InvalidDataException($"Token file '{path}' is truncated inside its header; prepare it again.");
        TokenFileHeader header;
        try
        {
            header = JsonSerializer.Deserialize(json, SparseDslJsonContext.Default.TokenFileHeader)
                ?? throw new InvalidDataException($"Token file '{path}' has an empty header; prepare it again.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Token file '{path}' has a damaged header: {e.Message}", e);
        }
        header.Validate(path);
        long expected = DataOffset + (header.TrainTokens + header.ValidationTokens) * header.TokenBytes;
        if (file.Length != expected)
            throw new InvalidDataException($"Token file '{path}' has {file.Length:N0} bytes where its header promises {expected:N0}: it is truncated or damaged; prepare it again.");
        return header;
    }

    /// <summary>
    /// Tokenizes <paramref name="corpus"/> once into a token file at <paramref name="path"/>, written atomically. The
    /// split is the corpus's, moved forward to the next character boundary so that no character is cut in two.
    /// </summary>
    /// <param name="path">The token file to create or replace.</param>
    /// <param name="tokenizer">The tokenizer; its name and vocabulary go into the header.</param>
    /// <param name="corpus">The text, split into training and validation parts.</param>
    /// <param name="progress">Receives the number of text bytes tokenized so far, after each chunk.</param>
    /// <param name="cancellation">Stops between chunks; the previous file at <paramref name="path"/> is then left as it was.</param>
    /// <returns>The header written.</returns>
    public static TokenFileHeader Write(string path, ITokenizer tokenizer, TextCorpus corpus, IProgress<long>? progress = null, CancellationToken cancellation = default) =>
        Write(path, tokenizer, corpus, TextChunks.DefaultChunkBytes, progress, cancellation);

    internal static TokenFileHeader Write(string path, ITokenizer tokenizer, TextCorpus corpus, int chunkBytes, IProgress<long>? progress, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(corpus);
        if (tokenizer.VocabularySize <= 0) throw new ArgumentException($"Tokenizer '{tokenizer.Name}' has no vocabulary.", nameof(tokenizer));
        int tokenBytes = TokenFileHeader.TokenBytesFor(tokenizer.VocabularySize);
        var text = corpus.Text;
        // Bytes need no character boundary; any other tokenizer reads text, and a cut character would become U+FFFD.
        bool raw = tokenizer.Name == ByteTokenizer.Name;
        long split = raw ? corpus.Train.Length : TextChunks.NextCharacterStart(text, corpus.Train.Length);
        TokenFileHeader? written = null;
        AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[DataOffset]); // the header goes here once the counts are known
            var writer = new TokenWriter(stream, tokenBytes, tokenizer.VocabularySize, tokenizer.Name);
            long done = 0;
            foreach (var (start, end) in new[] { (0L, split), (split, text.Length) })
            {
                foreach (var chunk in TextChunks.Split(text, start, end, chunkBytes))
                {
                    cancellation.ThrowIfCancellationRequested();
                    if (raw)
                    {
                        foreach (byte b in chunk) writer.Add(b);
                    }
                    else
                    {
                        foreach (int token in tokenizer.Encode(Encoding.UTF8.GetString(chunk))) writer.Add(token);
                    }
                    done += chunk.Length;
                    progress?.Report(done);
                }
                writer.EndPart();
            }
            writer.Flush();
            written = new TokenFileHeader(tokenizer.Name, tokenizer.VocabularySize, tokenBytes, writer.PartTokens[0], writer.PartTokens[1],
                split, text.Length - split, corpus.Source);
            stream.Position = 0;
            stream.Write(HeaderBytes(written));
        });
        return written!;
    }

    private static byte[] HeaderBytes(TokenFileHeader header)
    {
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(header, SparseDslJsonContext.Default.TokenFileHeader);
        int length = Magic.Length + 2 * sizeof(int) + json.Length;
        if (length > DataOffset)
        {
            // Only the source can make the header this long; the counts matter, the name is for messages.
            return HeaderBytes(header with { Source = header.Source[..Math.Min(header.Source.Length, 256)] + "…" });
        }
        byte[] bytes = new byte[length];
        Magic.CopyTo(bytes);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(Magic.Length), CurrentFormatVersion);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(Magic.Length + sizeof(int)), json.Length);
        json.CopyTo(bytes, Magic.Length + 2 * sizeof(int));
        return bytes;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _view.Dispose();
        _mapping.Dispose();
    }

    // Buffered little-endian tokens, counted per part.
    private sealed class TokenWriter(Stream stream, int tokenBytes, int vocabularySize, string tokenizer)
    {
        private readonly byte[] _buffer = new byte[1 << 16];
        private int _used;
        private long _count;

        public List<long> PartTokens { get; } = [];

        public void Add(int token)
        {
            if ((uint)token >= (uint)vocabularySize)
                throw new InvalidOperationException($"Tokenizer '{tokenizer}' gave token {token}, outside its vocabulary of {vocabularySize}.");
            if (_used + tokenBytes > _buffer.Length) Flush();
            if (tokenBytes == 2) BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(_used), (ushort)token);
            else BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(_used), (uint)token);
            _used += tokenBytes;
            _count++;
        }

        public void EndPart()
        {
            PartTokens.Add(_count);
            _count = 0;
        }

        public void Flush()
        {
            stream.Write(_buffer, 0, _used);
            _used = 0;
        }
    }
}
