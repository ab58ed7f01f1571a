using System.Buffers;
using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;

namespace SparseDsl.Data;

/// <summary>A read-only run of token ids in a memory-mapped token file, read at any offset without loading all of it.</summary>
public sealed class TokenRange
{
    private readonly MemoryMappedViewAccessor _view;
    private readonly long _start;
    private readonly int _tokenBytes;
    private readonly int _vocabularySize;
    private readonly string _source;

    internal TokenRange(MemoryMappedViewAccessor view, long start, long length, int tokenBytes, int vocabularySize, string source)
    {
        _view = view;
        _start = start;
        Length = length;
        _tokenBytes = tokenBytes;
        _vocabularySize = vocabularySize;
        _source = source;
    }

    /// <summary>The number of tokens.</summary>
    public long Length { get; }

    /// <summary>Copies <c>destination.Length</c> tokens starting at token <paramref name="offset"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is outside the tokens.</exception>
    /// <exception cref="InvalidDataException">A stored token is not below the file's vocabulary (a damaged file).</exception>
    public void Read(long offset, Span<long> destination)
    {
        if (offset < 0 || offset + destination.Length > Length)
            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"Range [{offset}, {offset + destination.Length}) is outside the {Length} tokens.");
        int bytes = destination.Length * _tokenBytes;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(bytes);
        try
        {
            int read = _view.ReadArray(_start + offset * _tokenBytes, buffer, 0, bytes);
            if (read != bytes) throw new IOException($"Read {read} of {bytes} bytes from token file '{_source}'.");
            var span = buffer.AsSpan(0, bytes);
            for (int i = 0; i < destination.Length; i++)
            {
                long token = _tokenBytes == 2
                    ? BinaryPrimitives.ReadUInt16LittleEndian(span[(2 * i)..])
                    : BinaryPrimitives.ReadUInt32LittleEndian(span[(4 * i)..]);
                if (token >= _vocabularySize)
                    throw new InvalidDataException($"Token file '{_source}' holds token {token} at {offset + i}, outside its vocabulary of {_vocabularySize}: it is damaged; prepare it again.");
                destination[i] = token;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
