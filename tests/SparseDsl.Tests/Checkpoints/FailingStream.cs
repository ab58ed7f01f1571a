namespace SparseDsl.Tests.Checkpoints;

/// <summary>Passes writes through until <c>limit</c> bytes, then throws: a disk that fills up or a crash mid-save.</summary>
internal sealed class FailingStream(Stream inner, long limit) : Stream
{
    private long written;

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        long room = Math.Max(0, limit - written);
        if (buffer.Length > room)
        {
            inner.Write(buffer[..(int)room]);
            written = limit;
            throw new IOException($"Simulated failure after {limit} bytes.");
        }
        inner.Write(buffer);
        written += buffer.Length;
    }

    public override void WriteByte(byte value) => Write([value]);

    public override void Flush() => inner.Flush();

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => written; set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
