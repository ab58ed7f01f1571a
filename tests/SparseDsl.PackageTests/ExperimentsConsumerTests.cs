using System.Text.RegularExpressions;

namespace SparseDsl.PackageTests;

/// <summary>
/// The README's "engine as a library" example, built from the packed SparseDsl and SparseDsl.Experiments in a fresh
/// console project: the code block between the README's <c>experiments-example</c> markers is the program, so the
/// README cannot drift from what the packages do.
/// </summary>
[Trait("Category", "Slow")]
[Collection(PackedFeedCollection.Name)]
public sealed partial class ExperimentsConsumerTests(PackedFeed feed)
{
    [Fact]
    public void The_READMEs_own_model_sweep_and_coordinate_check_run_from_the_packages()
    {
        string project = feed.NewProjectFolder("experiments-consumer");
        DotnetCli.Run(project, "new", "console", "--framework", "net10.0", "--no-restore").ShouldSucceed();
        DotnetCli.Run(project, "add", "package", "SparseDsl", "--version", feed.Version).ShouldSucceed();
        DotnetCli.Run(project, "add", "package", "SparseDsl.Experiments", "--version", feed.Version).ShouldSucceed();
        DotnetCli.Run(project, "add", "package", "TorchSharp-cpu", "--version", feed.TorchSharpVersion).ShouldSucceed();
        File.WriteAllText(Path.Combine(project, "Program.cs"), ReadmeExample());

        var build = DotnetCli.Run(project, "build", "-c", "Release").ShouldSucceed();
        Assert.True(BuildWarnings.Ids(build).Count == 0, build.Output);

        var run = DotnetCli.Run(project, "run", "-c", "Release", "--no-build").ShouldSucceed();
        Assert.Contains("Sweep of MyLm: 2 runs", run.Output);
        Assert.Contains("Coordinate check of MyLm", run.Output);
        string sweep = Path.Combine(project, "runs", "sweep");
        Assert.Equal(3, File.ReadAllLines(Path.Combine(sweep, "sweep.csv")).Length); // header and two cells
        Assert.True(File.Exists(Path.Combine(sweep, "summary.md")));
        Assert.True(File.Exists(Path.Combine(sweep, "sweep-width-64.png")));
        // 3 parameterizations × 3 cells (width 64 at densities 1 and 0.25, width 128 at 0.25) × 3 steps × 2 blocks.
        var rows = File.ReadAllLines(Path.Combine(project, "runs", "coord-check", "coord-check.csv"));
        Assert.Equal(1 + 3 * 3 * 3 * 2, rows.Length);

        // Run again: the sweep resumes, every cell already done.
        var again = DotnetCli.Run(project, "run", "-c", "Release", "--no-build").ShouldSucceed();
        Assert.Contains("2 already done, 0 to run", again.Output);
    }

    string ReadmeExample()
    {
        string readme = File.ReadAllText(Path.Combine(feed.Repository, "README.md"));
        var block = ExampleBlock().Match(readme);
        Assert.True(block.Success, "README.md has no ```csharp block between the experiments-example markers.");
        return block.Groups[1].Value;
    }

    [GeneratedRegex(@"<!-- experiments-example:start -->\s*```csharp\n(.*?)```\s*<!-- experiments-example:end -->", RegexOptions.Singleline)]
    private static partial Regex ExampleBlock();
}
