using System.Buffers;
using System.IO.MemoryMappedFiles;

namespace SparseDsl.Data;

/// <summary>A read-only run of bytes that can be read at any offset without holding all of it in managed memory.</summary>
public abstract class ByteText
{
    /// <summary>The number of bytes.</summary>
    public abstract long Length { get; }

    /// <summary>Copies <c>destination.Length</c> bytes starting at <paramref name="offset"/>.</summary>
    public abstract void Read(long offset, Span<byte> destination);

    /// <summary>The bytes from <paramref name="offset"/> on, <paramref name="length"/> of them, as a view (no copy).</summary>
    public abstract ByteText Slice(long offset, long length);

    /// <summary>Checks a read or slice range against <see cref="Length"/>.</summary>
    protected void CheckRange(long offset, long count)
    {
        if (offset < 0 || count < 0 || offset + count > Length)
            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"Range [{offset}, {offset + count}) is outside the text's {Length} bytes.");
    }

    /// <summary>Bytes held in memory (decompressed files, the bundled corpus, tests).</summary>
    public static ByteText FromMemory(ReadOnlyMemory<byte> bytes) => new MemoryText(bytes);

    /// <summary>A memory-mapped view: the OS pages the file in as batches touch it, so files larger than RAM work.</summary>
    internal static ByteText FromMapped(MemoryMappedViewAccessor view, long offset, long length) => new MappedText(view, offset, length);

    private sealed class MemoryText(ReadOnlyMemory<byte> bytes) : ByteText
    {
        public override long Length => bytes.Length;

        public override void Read(long offset, Span<byte> destination)
        {
            CheckRange(offset, destination.Length);
            bytes.Span.Slice((int)offset, destination.Length).CopyTo(destination);
        }

        public override ByteText Slice(long offset, long length)
        {
            CheckRange(offset, length);
            return new MemoryText(bytes.Slice((int)offset, (int)length));
        }
    }

    private sealed class MappedText(MemoryMappedViewAccessor view, long start, long length) : ByteText
    {
        public override long Length => length;

        public override void Read(long offset, Span<byte> destination)
        {
            CheckRange(offset, destination.Length);
            byte[] buffer = ArrayPool<byte>.Shared.Rent(destination.Length);
            try
            {
                int read = view.ReadArray(start + offset, buffer, 0, destination.Length);
                if (read != destination.Length) throw new IOException($"Read {read} of {destination.Length} bytes from the mapped file.");
                buffer.AsSpan(0, read).CopyTo(destination);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        public override ByteText Slice(long offset, long count)
        {
            CheckRange(offset, count);
            return new MappedText(view, start + offset, count);
        }
    }
}
