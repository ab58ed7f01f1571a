namespace SparseDsl.Experiments.Sweep;

/// <summary>
/// The sweep's results file. Each finished run is appended as one line and flushed at once, so an interrupted sweep
/// loses at most the runs in flight; a restarted sweep reads the file and skips the runs already in it.
/// </summary>
public sealed class SweepCsv : IDisposable
{
    private readonly StreamWriter _writer;
    private readonly object _gate = new();

    /// <summary>The runs already in the file when it was opened.</summary>
    public IReadOnlyList<SweepRecord> Existing { get; }

    /// <summary>The file's path.</summary>
    public string Path { get; }

    private readonly bool _depth;

    private SweepCsv(string path, IReadOnlyList<SweepRecord> existing, StreamWriter writer, bool depth)
    {
        _depth = depth;
        Path = path;
        Existing = existing;
        _writer = writer;
    }

    /// <summary>Opens (or creates) <paramref name="path"/>, reading what it holds; <paramref name="depth"/>: a file with depth columns.</summary>
    public static SweepCsv Open(string path, bool depth = false)
    {
        var existing = File.Exists(path) ? Read(path, depth) : [];
        if (File.Exists(path)) DropPartialLastLine(path);
        string? folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (folder is not null) Directory.CreateDirectory(folder);
        bool fresh = !File.Exists(path) || new FileInfo(path).Length == 0;
        var writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read));
        if (fresh)
        {
            writer.WriteLine(SweepRecord.HeaderFor(depth));
            writer.Flush();
        }
        return new SweepCsv(path, existing, writer, depth);
    }

    /// <summary>Every run recorded in <paramref name="path"/>. A partial last line (a crash mid-write) is ignored.</summary>
    public static List<SweepRecord> Read(string path, bool depth = false)
    {
        string text = File.ReadAllText(path);
        var lines = text.Split('\n');
        if (lines.Length == 0 || lines[0].TrimEnd('\r') != SweepRecord.HeaderFor(depth))
            throw new InvalidDataException($"{path} is not a sweep results file {(depth ? "with" : "without")} a depth axis (its first line is not the expected header). Use another --out.");
        var records = new List<SweepRecord>();
        // The last element is either empty (file ends in a newline) or a line cut short by a crash.
        for (int i = 1; i < lines.Length - 1; i++)
        {
            string line = lines[i].TrimEnd('\r');
            if (line.Length > 0) records.Add(SweepRecord.Parse(line, path, i + 1));
        }
        return records;
    }

    // A crash mid-append leaves a line without its newline; appending after it would glue two records together.
    private static void DropPartialLastLine(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        int end = Array.LastIndexOf(bytes, (byte)'\n') + 1;
        if (end == bytes.Length) return;
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Write);
        stream.SetLength(end);
    }

    /// <summary>Appends one finished run; safe to call from concurrent runs.</summary>
    public void Append(SweepRecord record)
    {
        lock (_gate)
        {
            _writer.WriteLine(record.ToCsv(_depth));
            _writer.Flush();
        }
    }

    /// <summary>Closes the file; every appended run is already flushed.</summary>
    public void Dispose() => _writer.Dispose();
}
