namespace SparseDsl.Data;

/// <summary>
/// Cuts text into chunks that a BPE tokenizer encodes exactly as it would the whole text, so a large corpus can be
/// tokenized a piece at a time. GPT-2's and cl100k's pre-tokenizers never join across a line break that follows a
/// visible ASCII character and precedes a letter, nor across a letter, a space and a letter (the space begins the next
/// word's piece), so chunks end there. (After whitespace a line break would join it at a chunk's end but not in the
/// whole text, so such places are not used.)
/// </summary>
internal static class TextChunks
{
    public const int DefaultChunkBytes = 1 << 20;

    /// <summary>The chunks of <paramref name="text"/> between <paramref name="start"/> and <paramref name="end"/>, each about <paramref name="chunkBytes"/> long.</summary>
    public static IEnumerable<byte[]> Split(ByteText text, long start, long end, int chunkBytes)
    {
        long position = start;
        while (position < end)
        {
            long window = chunkBytes;
            long cut;
            while (true)
            {
                long limit = Math.Min(end, position + window);
                if (limit == end) { cut = end; break; }
                byte[] bytes = new byte[limit - position];
                text.Read(position, bytes);
                int at = SafeCut(bytes);
                if (at > 0) { cut = position + at; break; }
                window *= 2; // no safe place yet: a longer chunk
            }
            byte[] chunk = new byte[cut - position];
            text.Read(position, chunk);
            yield return chunk;
            position = cut;
        }
    }

    /// <summary><paramref name="offset"/>, or the first position after it that starts a UTF-8 character.</summary>
    public static long NextCharacterStart(ByteText text, long offset)
    {
        Span<byte> one = stackalloc byte[1];
        while (offset < text.Length)
        {
            text.Read(offset, one);
            if ((one[0] & 0xC0) != 0x80) break; // not a continuation byte
            offset++;
        }
        return offset;
    }

    // The last place in the window to cut: after "x\nL" (x visible, L a letter), else before a space between letters.
    private static int SafeCut(byte[] bytes)
    {
        for (int i = bytes.Length - 1; i > 1; i--)
            if (bytes[i - 1] == (byte)'\n' && bytes[i - 2] is > (byte)' ' and < 0x7F && IsAsciiLetter(bytes[i])) return i;
        for (int i = bytes.Length - 2; i > 0; i--)
            if (bytes[i] == (byte)' ' && IsAsciiLetter(bytes[i - 1]) && IsAsciiLetter(bytes[i + 1])) return i;
        return 0;
    }

    private static bool IsAsciiLetter(byte b) => b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z';
}
