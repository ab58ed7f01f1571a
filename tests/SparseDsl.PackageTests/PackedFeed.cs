using System.Xml.Linq;

namespace SparseDsl.PackageTests;

/// <summary>
/// Packs SparseDsl and SparseDsl.Templates once per test run into a folder feed, from a copy of the repository's
/// sources, under a version no other run uses: the NuGet cache can never hand a consumer a stale build, and the
/// repository's own bin/obj folders are never touched. A nuget.config beside the feed adds it as a package source
/// for every project created under <see cref="Root"/>.
/// </summary>
public sealed class PackedFeed : IDisposable
{
    /// <summary>A scratch folder outside the repository: no Directory.Build.* or central package versions leak in.</summary>
    public string Root { get; }

    /// <summary>The folder feed holding the packages.</summary>
    public string Feed { get; }

    /// <summary>The version both packages were packed with: Directory.Build.props' SparseDslVersion plus a unique suffix.</summary>
    public string Version { get; }

    /// <summary>The TorchSharp version the repository pins (Directory.Packages.props).</summary>
    public string TorchSharpVersion { get; }

    public string SparseDslPackage => Path.Combine(Feed, $"SparseDsl.{Version}.nupkg");
    public string ExperimentsPackage => Path.Combine(Feed, $"SparseDsl.Experiments.{Version}.nupkg");
    public string TemplatePackage => Path.Combine(Feed, $"SparseDsl.Templates.{Version}.nupkg");

    public PackedFeed()
    {
        string repository = FindRepositoryRoot();
        Root = Path.Combine(Path.GetTempPath(), $"sparsedsl-package-tests-{Guid.NewGuid():N}");
        Feed = Path.Combine(Root, "feed");
        Directory.CreateDirectory(Feed);

        string baseVersion = XDocument.Load(Path.Combine(repository, "Directory.Build.props"))
            .Descendants("SparseDslVersion").Single().Value;
        Version = $"{baseVersion}-test.{DateTime.UtcNow:yyyyMMddHHmmssfff}";
        TorchSharpVersion = XDocument.Load(Path.Combine(repository, "Directory.Packages.props"))
            .Descendants("PackageVersion").Single(e => (string?)e.Attribute("Include") == "TorchSharp")
            .Attribute("Version")!.Value;

        string sources = Path.Combine(Root, "sources");
        foreach (string folder in new[] { "src", "generators" })
            CopySources(Path.Combine(repository, folder), Path.Combine(sources, folder));
        foreach (string file in new[] { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props", "LICENSE" })
            File.Copy(Path.Combine(repository, file), Path.Combine(sources, file));

        foreach (string project in new[] { "src/SparseDsl/SparseDsl.csproj", "src/SparseDsl.Experiments/SparseDsl.Experiments.csproj", "src/SparseDsl.Templates/SparseDsl.Templates.csproj" })
        {
            // The copy is not a git checkout, so there is no commit for SourceLink to record.
            DotnetCli.Run(sources, "pack", project, "-c", "Release", "-o", Feed, $"-p:SparseDslVersion={Version}",
                "-p:EnableSourceControlManagerQueries=false").ShouldSucceed();
        }

        File.WriteAllText(Path.Combine(Root, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="sparsedsl-test-feed" value="{Feed}" />
              </packageSources>
            </configuration>
            """);
    }

    /// <summary>A new, empty folder under <see cref="Root"/> for one consumer project.</summary>
    public string NewProjectFolder(string name)
    {
        string folder = Path.Combine(Root, name);
        Directory.CreateDirectory(folder);
        return folder;
    }

    public void Dispose()
    {
        TryDelete(Root);
        // The unique version was extracted into the NuGet cache by the consumers' restores; it is never used again.
        string cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        TryDelete(Path.Combine(cache, "sparsedsl", Version.ToLowerInvariant()));
        TryDelete(Path.Combine(cache, "sparsedsl.experiments", Version.ToLowerInvariant()));
    }

    static void TryDelete(string folder)
    {
        try
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    static void CopySources(string from, string to)
    {
        foreach (string file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(from, file);
            string[] parts = relative.Split(Path.DirectorySeparatorChar);
            if (parts.Any(p => p is "bin" or "obj"))
                continue;
            string target = Path.Combine(to, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    /// <summary>The repository this feed was packed from (the README's examples are read from it).</summary>
    public string Repository { get; } = FindRepositoryRoot();

    static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SparseDsl.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"SparseDsl.sln not found above {AppContext.BaseDirectory}.");
    }
}

/// <summary>All package tests share one packed feed and run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class PackedFeedCollection : ICollectionFixture<PackedFeed>
{
    public const string Name = "packed feed";
}
