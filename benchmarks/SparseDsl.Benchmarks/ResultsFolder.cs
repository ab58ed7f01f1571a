namespace SparseDsl.Benchmarks;

/// <summary>Where every report goes: <c>benchmarks/results/</c> of the repository, wherever the harness is started from.</summary>
public static class ResultsFolder
{
    /// <summary>The folder (created on first use).</summary>
    public static string Path { get; } = Create();

    /// <summary>BenchmarkDotNet's artifacts (git-ignored: logs and HTML/CSV/Markdown reports of the latest run).</summary>
    public static string BenchmarkDotNet => System.IO.Path.Combine(Path, "BenchmarkDotNet");

    private static string Create()
    {
        string root = Directory.GetCurrentDirectory();
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "SparseDsl.sln")))
            {
                root = dir.FullName;
                break;
            }
        string results = System.IO.Path.Combine(root, "benchmarks", "results");
        Directory.CreateDirectory(results);
        return results;
    }
}
