using System.IO.Compression;
using SparseDsl.Data;

namespace SparseDsl.Tests.Vision;

/// <summary>The IDX reader and writer: round trips plain and gzip, and a clear error for every kind of bad file.</summary>
public sealed class IdxFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("sparsedsl-idx-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string PathOf(string name) => Path.Combine(_folder, name);

    // [3, 2, 4] (like 3 images of 2×4): every byte value a different, recognisable number.
    private static IdxFile Sample() => new([3, 2, 4], Enumerable.Range(0, 24).Select(i => (byte)(i * 11)).ToArray());

    private static byte[] Bytes(IdxFile file)
    {
        var stream = new MemoryStream();
        file.Write(stream);
        return stream.ToArray();
    }

    [Theory]
    [InlineData("sample-idx3-ubyte")]
    [InlineData("sample-idx3-ubyte.gz")]
    public void A_written_file_reads_back_with_its_dimensions_and_data(string name)
    {
        var written = Sample();
        written.Write(PathOf(name));
        var read = IdxFile.Read(PathOf(name));
        Assert.Equal([3, 2, 4], read.Dimensions);
        Assert.Equal(written.Data.ToArray(), read.Data.ToArray());
    }

    [Fact]
    public void The_header_is_the_magic_number_then_big_endian_dimensions()
    {
        byte[] bytes = Bytes(new IdxFile([60000, 28, 28], new byte[60000 * 28 * 28]));
        // 0x00000803: two zero bytes, type 0x08 (unsigned byte), 3 dimensions; then 60000 = 0x0000EA60, 28 = 0x1C.
        Assert.Equal(new byte[] { 0, 0, 8, 3, 0, 0, 0xEA, 0x60, 0, 0, 0, 0x1C, 0, 0, 0, 0x1C }, bytes[..16]);
        Assert.Equal(16 + 60000 * 28 * 28, bytes.Length);
    }

    [Fact]
    public void Gzip_is_recognised_by_its_content_not_its_name()
    {
        File.WriteAllBytes(PathOf("compressed-but-named-plain"), Gzip(Bytes(Sample())));
        File.WriteAllBytes(PathOf("plain-but-named.gz"), Bytes(Sample()));
        Assert.Equal(Sample().Data.ToArray(), IdxFile.Read(PathOf("compressed-but-named-plain")).Data.ToArray());
        Assert.Equal(Sample().Data.ToArray(), IdxFile.Read(PathOf("plain-but-named.gz")).Data.ToArray());
    }

    public static TheoryData<string, byte[], string> BadFiles()
    {
        byte[] good = Bytes(Sample());
        return new()
        {
            { "empty", [], "is empty" },
            { "shorter than the magic number", [0, 0, 8], "truncated: 3 bytes, shorter than the 4-byte magic number" },
            { "bad magic (a PNG)", [0x89, 0x50, 0x4E, 0x47, 0, 0, 0, 1], "is not an IDX file: its magic number starts 0x89 0x50" },
            { "undefined element type", [0, 0, 0x07, 1, 0, 0, 0, 1, 5], "element type 0x07, which IDX does not define" },
            { "32-bit floats", [0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0, 0], "holds 32-bit floats (type 0x0D); only unsigned bytes (0x08) are supported" },
            { "no dimensions", [0, 0, 8, 0], "declares 0 dimensions" },
            { "truncated header", good[..10], "truncated: its 3 dimensions need a 16-byte header, but the file has 10 bytes" },
            { "truncated data", good[..^5], "truncated: dimensions [3, 2, 4] need 24 bytes of data, but only 19 follow the header" },
            { "trailing bytes", [.. good, 1, 2], "has 2 bytes past the end of its data" },
        };
    }

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void A_bad_file_is_refused_with_a_message_naming_it_and_the_fault(string why, byte[] bytes, string message)
    {
        foreach (string name in new[] { "bad", "bad.gz" })
        {
            // The same fault inside a gzip file gives the same message.
            File.WriteAllBytes(PathOf(name), name.EndsWith(".gz") ? Gzip(bytes) : bytes);
            var e = Assert.Throws<InvalidDataException>(() => IdxFile.Read(PathOf(name)));
            Assert.Contains(message, e.Message);
            Assert.True(e.Message.Contains(PathOf(name)), $"{why}: the message does not name the file: {e.Message}");
        }
    }

    [Fact]
    public void A_gzip_file_cut_short_is_refused()
    {
        byte[] compressed = Gzip(Bytes(new IdxFile([100, 28, 28], Enumerable.Range(0, 78400).Select(i => (byte)(i * 7 % 251)).ToArray())));
        File.WriteAllBytes(PathOf("cut.gz"), compressed[..(compressed.Length / 2)]);
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.Read(PathOf("cut.gz")));
        Assert.Contains(PathOf("cut.gz"), e.Message);
    }

    [Fact]
    public void A_corrupt_gzip_file_is_refused_as_not_valid_gzip()
    {
        byte[] compressed = Gzip(Bytes(Sample()));
        for (int i = 10; i < compressed.Length - 8; i++) compressed[i] ^= 0x5A;
        File.WriteAllBytes(PathOf("corrupt.gz"), compressed);
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.Read(PathOf("corrupt.gz")));
        Assert.Contains(PathOf("corrupt.gz"), e.Message);
    }

    [Fact]
    public void A_missing_file_is_a_file_not_found_error_naming_it()
    {
        var e = Assert.Throws<FileNotFoundException>(() => IdxFile.Read(PathOf("nothing-here")));
        Assert.Contains(PathOf("nothing-here"), e.Message);
    }

    [Fact]
    public void Dimensions_that_do_not_match_the_data_are_refused_when_made()
    {
        Assert.Throws<ArgumentException>(() => new IdxFile([2, 3], new byte[5]));
        Assert.Throws<ArgumentException>(() => new IdxFile([], []));
        Assert.Throws<ArgumentException>(() => new IdxFile([-1], []));
    }

    private static byte[] Gzip(byte[] bytes)
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true)) gzip.Write(bytes);
        return output.ToArray();
    }
}
