namespace SparseDsl;

/// <summary>
/// Replaces a file all at once: a reader (or a run resumed after a crash) sees the old file or the new one, never a
/// half-written mix, because the new content is written and flushed elsewhere and then renamed over the old.
/// </summary>
public static class AtomicFile
{
    /// <summary>
    /// Writes <paramref name="path"/> through <paramref name="write"/> and swaps it in only once it is complete and
    /// on disk. If anything fails the exception propagates and the previous file at <paramref name="path"/> is left
    /// untouched. The folder is created if missing.
    /// </summary>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="write">Writes the whole content. It must not dispose the stream (it is flushed afterwards).</param>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        string target = Path.GetFullPath(path);
        string name = Path.GetFileName(target);
        if (name.Length == 0)
            throw new ArgumentException($"'{path}' names a folder, not a file.", nameof(path));
        string folder = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(folder);

        // Beside the target, not in /tmp: a rename is atomic only within one filesystem (across two it is a copy).
        string temp = Path.Combine(folder, $".{name}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                // Without this the rename can reach the disk before the data, and a power cut leaves an empty file.
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, target, overwrite: true);
        }
        catch
        {
            DeleteQuietly(temp);
            throw;
        }
    }

    // The caller needs the original failure, not a second one from the cleanup.
    private static void DeleteQuietly(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
