using System.Text.RegularExpressions;

namespace SparseDsl.Tests.Sweep;

/// <summary>
/// The cluster files in deploy/ say what the CLI accepts: the Kubernetes Job's part count is the one its pods pass to
/// --shard, every option they pass is one the sweep command has, and both images run the CLI with the GLIBCXX fix on.
/// (The YAML's syntax and the Slurm scripts' are checked by their own tools: see the README's "Sweeps on a cluster".)
/// </summary>
public sealed partial class DeployFileTests
{
    private static string Deploy(string file, [System.Runtime.CompilerServices.CallerFilePath] string self = "") =>
        File.ReadAllText(Path.Combine(Path.GetDirectoryName(self)!, "..", "..", "..", "deploy", file));

    private static string SweepHelp() => CliRun.Invoke("sweep", "--help").Output;

    [Fact]
    public void The_indexed_job_splits_the_grid_into_as_many_parts_as_it_has_completions()
    {
        string job = Deploy("kubernetes/sweep-job.yaml");
        int completions = int.Parse(CompletionsLine().Match(job).Groups[1].Value);
        Assert.Equal(completions, int.Parse(ShardArgument().Match(job).Groups[1].Value));
        Assert.Contains("completionMode: Indexed", job);
        Assert.Contains("ReadWriteMany", job);
    }

    [Theory]
    [InlineData("kubernetes/sweep-job.yaml")]
    [InlineData("kubernetes/merge-job.yaml")]
    [InlineData("slurm/sweep-array.sbatch")]
    public void Every_option_a_cluster_file_passes_is_one_the_sweep_command_has(string file)
    {
        string help = SweepHelp();
        var options = Option().Matches(Deploy(file)).Select(m => m.Groups[1].Value).Where(o => !OtherTools.Contains(o)).Distinct().ToList();
        Assert.NotEmpty(options);
        Assert.All(options, option => Assert.Contains(option, help));
    }

    // Options of sbatch, apptainer, kubectl and dotnet that the files' comments and commands also use.
    private static readonly HashSet<string> OtherTools =
    [
        "--array", "--dependency", "--parsable", "--gres", "--partition", "--job-name", "--cpus-per-task", "--mem", "--time",
        "--output", "--account", "--env", "--bind", "--nv", "--for", "--timeout", "--self-contained",
    ];

    [Theory]
    [InlineData("Dockerfile", "-p:TorchBackend=cpu")]
    [InlineData("Dockerfile.cuda", "-p:TorchBackend=cuda")]
    public void Both_images_publish_the_cli_with_the_glibcxx_fix_forced_on(string file, string backend)
    {
        string dockerfile = Deploy(file);
        Assert.Contains(backend, dockerfile);
        Assert.Contains("-p:SparseDslWeakenGlibcxx=always", dockerfile);
        Assert.Contains("ENTRYPOINT [\"/opt/sparsedsl/SparseDsl.Examples\"]", dockerfile);
    }

    [GeneratedRegex(@"(?m)^\s*completions:\s*(\d+)")]
    private static partial Regex CompletionsLine();

    [GeneratedRegex(@"kubernetes/(\d+)")]
    private static partial Regex ShardArgument();

    // Options as a YAML list item ("- --out") or on a command line ("sweep --shard slurm").
    [GeneratedRegex(@"(?<![\w-])(--[a-z][a-z0-9-]+)")]
    private static partial Regex Option();
}
