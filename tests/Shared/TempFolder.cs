namespace SparseDsl.Tests;

/// <summary>
/// A fresh folder per test, removed afterwards, so "no temp files left" can be checked exactly. The one temp-folder
/// fixture of the tests: a test class holds one as a field and disposes it in its own <c>Dispose</c>.
/// </summary>
/// <param name="prefix">The start of the folder's name, to tell the test classes' folders apart in /tmp.</param>
internal sealed class TempFolder(string prefix = "sparsedsl-") : IDisposable
{
    public string Path { get; } = Directory.CreateDirectory(System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"{prefix}{Guid.NewGuid():N}")).FullName;

    /// <summary>The path of <paramref name="name"/> inside the folder (nothing is created).</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Every file in the folder, hidden ones (the temp files' leading dot) included.</summary>
    public string[] Files() => Directory.GetFiles(Path).Select(System.IO.Path.GetFileName).Order().ToArray()!;

    public void Dispose()
    {
        if (Directory.Exists(Path))
            Directory.Delete(Path, recursive: true);
    }
}
