using System.IO.Compression;
using System.Xml.Linq;

namespace SparseDsl.PackageTests;

/// <summary>What is inside the packed SparseDsl package, and what it asks of its consumers.</summary>
[Trait("Category", "Slow")]
[Collection(PackedFeedCollection.Name)]
public sealed class PackageContentTests(PackedFeed feed)
{
    [Fact]
    public void Package_holds_runtime_generator_code_fixes_native_fix_docs_and_licence()
    {
        using var package = ZipFile.OpenRead(feed.SparseDslPackage);
        var entries = package.Entries.Select(e => e.FullName).ToHashSet();

        string[] expected =
        [
            "lib/net10.0/SparseDsl.dll",
            "lib/net10.0/SparseDsl.xml",
            "analyzers/dotnet/cs/SparseDsl.Generators.dll",
            "analyzers/dotnet/cs/SparseDsl.CodeFixes.dll",
            "buildTransitive/SparseDsl.targets",
            "buildTransitive/WeakenGlibcxxRequirement.cs",
            "README.md",
            "LICENSE",
        ];
        foreach (string entry in expected)
            Assert.Contains(entry, entries);

        // Roslyn stays private: no compiler assembly is shipped beside the generator.
        Assert.DoesNotContain(entries, e => e.Contains("Microsoft.CodeAnalysis", StringComparison.OrdinalIgnoreCase));
        // The generator is an analyzer, never a library the user's code compiles against.
        Assert.DoesNotContain(entries, e => e.StartsWith("lib/") && e.Contains("Generators"));
    }

    [Fact]
    public void Package_depends_on_managed_TorchSharp_only_so_the_backend_stays_the_users_choice()
    {
        var metadata = ReadNuspec(feed.SparseDslPackage);
        XNamespace ns = metadata.Name.Namespace;

        Assert.Equal(feed.Version, metadata.Element(ns + "version")!.Value);
        Assert.Equal("LICENSE", metadata.Element(ns + "license")!.Value);
        Assert.Equal("README.md", metadata.Element(ns + "readme")!.Value);

        var dependencies = metadata.Descendants(ns + "dependency")
            .Select(d => (Id: (string)d.Attribute("id")!, Version: (string)d.Attribute("version")!))
            .ToList();
        Assert.Equal([("TorchSharp", feed.TorchSharpVersion)], dependencies);
    }

    [Fact]
    public void Template_package_is_a_template_pinned_to_the_versions_it_was_packed_with()
    {
        var metadata = ReadNuspec(feed.TemplatePackage);
        XNamespace ns = metadata.Name.Namespace;
        Assert.Equal("Template", (string?)metadata.Descendants(ns + "packageType").Single().Attribute("name"));
        Assert.Empty(metadata.Descendants(ns + "dependency"));

        using var package = ZipFile.OpenRead(feed.TemplatePackage);
        Assert.Contains(package.Entries, e => e.FullName == "content/SparseDslModel/.template.config/template.json");
        using var reader = new StreamReader(package.GetEntry("content/SparseDslModel/SparseDslModel.csproj")!.Open());
        string project = reader.ReadToEnd();
        Assert.Contains($"Include=\"SparseDsl\" Version=\"{feed.Version}\"", project);
        Assert.Contains($"Include=\"TorchSharp-cpu\" Version=\"{feed.TorchSharpVersion}\"", project);
        Assert.DoesNotContain("_VERSION", project);
    }

    static XElement ReadNuspec(string packagePath)
    {
        using var package = ZipFile.OpenRead(packagePath);
        var nuspec = package.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using var stream = nuspec.Open();
        var document = XDocument.Load(stream);
        return document.Root!.Elements().Single(e => e.Name.LocalName == "metadata");
    }
}
