namespace SparseDsl.Tests.Checkpoints;

/// <summary>AtomicFile replaces a file whole or not at all, and cleans up after itself.</summary>
public class AtomicFileTests
{
    private static void WriteText(string path, string text) =>
        AtomicFile.Write(path, stream => stream.Write(System.Text.Encoding.UTF8.GetBytes(text)));

    [Fact]
    public void A_write_replaces_the_previous_file_and_leaves_no_temp_file()
    {
        using var folder = new TempFolder();
        string path = folder.File("state.txt");
        WriteText(path, "first");
        WriteText(path, "second");
        Assert.Equal("second", File.ReadAllText(path));
        Assert.Equal(["state.txt"], folder.Files());
    }

    [Fact]
    public void A_write_that_throws_keeps_the_previous_file_and_removes_its_temp_file()
    {
        using var folder = new TempFolder();
        string path = folder.File("state.txt");
        WriteText(path, "previous");

        var e = Assert.Throws<IOException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write("half of the new"u8);
            throw new IOException("disk full");
        }));

        Assert.Equal("disk full", e.Message);
        Assert.Equal("previous", File.ReadAllText(path));
        Assert.Equal(["state.txt"], folder.Files());
    }

    [Fact]
    public void A_write_that_throws_before_any_file_existed_leaves_none()
    {
        using var folder = new TempFolder();
        Assert.Throws<InvalidOperationException>(() =>
            AtomicFile.Write(folder.File("new.txt"), _ => throw new InvalidOperationException()));
        Assert.Empty(folder.Files());
    }

    [Fact]
    public void A_missing_folder_is_created()
    {
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "runs", "a", "state.txt");
        WriteText(path, "x");
        Assert.Equal("x", File.ReadAllText(path));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void A_null_or_empty_path_is_an_argument_error(string? path)
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => AtomicFile.Write(path!, _ => { }));
        Assert.Equal("path", e.ParamName);
    }
}
