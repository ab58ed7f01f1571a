using System.Globalization;
using System.Text.RegularExpressions;

namespace SparseDsl.PackageTests;

/// <summary>
/// <c>dotnet new install</c> of the packed template into a private template store (never the user's), then
/// <c>dotnet new sparsedsl-model</c>, build and run, as a new user would.
/// </summary>
[Trait("Category", "Slow")]
[Collection(PackedFeedCollection.Name)]
public sealed partial class TemplateTests(PackedFeed feed)
{
    [Fact]
    public void Template_scaffolds_a_project_that_builds_and_trains()
    {
        string hive = feed.NewProjectFolder("template-store");
        DotnetCli.Run(feed.Root, "new", "install", feed.TemplatePackage, "--debug:custom-hive", hive).ShouldSucceed();
        DotnetCli.Run(feed.Root, "new", "sparsedsl-model", "-n", "MyModel", "-o", "MyModel", "--debug:custom-hive", hive).ShouldSucceed();
        string project = Path.Combine(feed.Root, "MyModel");

        string projectFile = File.ReadAllText(Path.Combine(project, "MyModel.csproj"));
        Assert.Contains($"Include=\"SparseDsl\" Version=\"{feed.Version}\"", projectFile);
        Assert.Contains("TorchSharp-cpu", projectFile);
        Assert.DoesNotContain("cuda", projectFile);

        var build = DotnetCli.Run(project, "build", "-c", "Release").ShouldSucceed();
        Assert.Empty(BuildWarnings.Ids(build));

        // The template's CPU backend trains on the CPU whatever device the test host's own SPARSEDSL_DEVICE names.
        var cpu = new Dictionary<string, string?> { ["SPARSEDSL_DEVICE"] = null };
        var run = DotnetCli.Run(project, cpu, "run", "-c", "Release", "--no-build", "--", "--steps", "40", "--width", "64").ShouldSucceed();
        var losses = StepLoss().Matches(run.Output).Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        Assert.True(losses.Count >= 2, run.Output);
        Assert.True(losses[^1] < losses[0] - 1, $"loss did not fall: {losses[0]} → {losses[^1]}\n{run.Output}");
        Assert.Contains("sample: The ", run.Output);
        Assert.Single(Directory.GetFiles(Path.Combine(project, "runs"), "checkpoint.sdsl", SearchOption.AllDirectories));

        var bad = DotnetCli.Run(project, cpu, "run", "-c", "Release", "--no-build", "--", "--steps", "-3");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("error: --steps must be a positive integer, not '-3'", bad.Output);

        // SPARSEDSL_DEVICE is the default of --device, as in the repository's CLI: a name that is no device is refused
        // before anything runs, CUDA on this CPU backend fails with the reason, and --device overrides the variable.
        var unknown = DotnetCli.Run(project, new Dictionary<string, string?> { ["SPARSEDSL_DEVICE"] = "tpu" }, "run", "-c", "Release", "--no-build", "--", "--steps", "1");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("error: SPARSEDSL_DEVICE must be cpu, cuda or cuda:N, not 'tpu'", unknown.Output);
        var cuda = DotnetCli.Run(project, new Dictionary<string, string?> { ["SPARSEDSL_DEVICE"] = "cuda" }, "run", "-c", "Release", "--no-build", "--", "--steps", "1");
        Assert.Equal(1, cuda.ExitCode);
        Assert.Contains("CUDA is not available", cuda.Output);
        var overridden = DotnetCli.Run(project, new Dictionary<string, string?> { ["SPARSEDSL_DEVICE"] = "cuda" }, "run", "-c", "Release", "--no-build", "--", "--steps", "2", "--width", "64", "--device", "cpu");
        overridden.ShouldSucceed();
        Assert.Contains("on CPU", overridden.Output);

        // The other backend choice references the CUDA packages instead (not built: CUDA packages are not served here).
        DotnetCli.Run(feed.Root, "new", "sparsedsl-model", "-n", "GpuModel", "-o", "GpuModel", "--backend", "cuda", "--debug:custom-hive", hive).ShouldSucceed();
        string gpuProject = File.ReadAllText(Path.Combine(feed.Root, "GpuModel", "GpuModel.csproj"));
        Assert.Contains($"Include=\"TorchSharp-cuda-linux\" Version=\"{feed.TorchSharpVersion}\"", gpuProject);
        Assert.DoesNotContain("TorchSharp-cpu", gpuProject);
    }

    [GeneratedRegex(@"step \d+/\d+  loss ([0-9.]+)")]
    private static partial Regex StepLoss();
}
