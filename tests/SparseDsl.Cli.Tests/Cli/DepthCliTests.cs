using SparseDsl.Examples.Cli;
using SparseDsl.Experiments.Training;
using SparseDsl.Experiments.CoordinateCheck;
using SparseDsl.Experiments.Sweep;
using static SparseDsl.Tests.CliRun;

namespace SparseDsl.Tests.Cli;

/// <summary>
/// The depth options of the CLI in process: <c>describe --depth-rule</c>, <c>train --depth-rule</c> (saved and resumed
/// from the checkpoint, and refused beside <c>--resume</c>), <c>coord-check --sweep depth</c> and <c>sweep --depths
/// --depth-rules</c> with its depth columns, each at the smallest size that still runs the code.
/// </summary>
public sealed class DepthCliTests : IDisposable
{
    private readonly TempFolder _folder = new("sparsedsl-depth-cli-");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Describe_shows_the_rule_the_stack_and_the_epsilon_of_each_group()
    {
        // Width 512 (m_d 2), depth 8 (m_L 4), density 1/8, depth-μP: hidden LR 1/(2·1/8)·4^(−½) = 2, ε × ½·½ = ¼.
        var (code, output, error) = Invoke("describe", "--width", "512", "--depth", "8", "--depth-rule", "depth-mup");
        Assert.True(code == 0, error);
        Assert.StartsWith("GptLm: width 512 (base 256, m_d 2), SμPar, depth rule depth-μP\nblocks: depth 8 (base 2, m_L 4), residual branches x 0.5\n", output);
        Assert.Matches(@"blocks\.7\.mlp\.down\.weight\s+Hidden\s+512x2048\s+2048\s+0\.125 normal\s+\S+\s+2\s+1\s+yes\s+0\.25\s+yes", output);
        Assert.Contains("LR x 2, ε x 0.25, decay x 0.25:", output);
        Assert.Contains("LR x 1, ε x 0.5, decay x 1:", output); // the embedding
    }

    [Fact]
    public void Train_saves_the_depth_rule_and_resume_keeps_it()
    {
        string folder = _folder.File("train");
        var first = Invoke("train", "--width", "32", "--depth", "3", "--batch", "2", "--context", "16", "--steps", "2", "--sample-length", "4",
            "--depth-rule", "completep", "--out", folder);
        Assert.True(first.Code == 0, first.Error);
        string checkpoint = Path.Combine(folder, TrainingJob.CheckpointFile);
        var header = Checkpoint.ReadHeader(checkpoint);
        Assert.Equal(DepthRule.CompleteP, header.Recipe.Options.DepthRule);
        Assert.Equal(DepthRule.CompleteP, RunConfig.FromJson(header.RunConfig, checkpoint).DepthRule);

        var refused = Invoke("train", "--resume", checkpoint, "--depth-rule", "none");
        Assert.Equal(ExitCodes.BadInput, refused.Code);
        Assert.Contains("remove --depth-rule", refused.Error);
    }

    [Fact]
    public void Coordinate_check_across_depth_writes_its_csv_plot_and_summary()
    {
        string folder = _folder.File("coord");
        var (code, output, error) = Invoke("coord-check", "--sweep", "depth", "--width", "32", "--depths", "1", "2", "--depth-rules", "none", "completep",
            "--steps", "2", "--seeds", "1", "--out", folder);
        Assert.True(code == 0, error);
        Assert.Contains("Depth coordinate check of GptLm (SμPar, width 32): 4 runs", output);
        var rows = DepthCoordinateCheckRow.ReadCsv(Path.Combine(folder, CoordinateCheckJob.DepthCsvFile));
        // 2 rules × 2 depths × 2 steps × 3 block kinds.
        Assert.Equal(2 * 2 * 2 * 3, rows.Count);
        Assert.Equal(["completep", "none"], rows.Select(r => r.DepthRule).Distinct().Order());
        Assert.True(File.Exists(Path.Combine(folder, "coord-check-depth.png")));
        Assert.Contains("| CompleteP | 1 | stream |", File.ReadAllText(Path.Combine(folder, CoordinateCheckJob.DepthSummaryFile)));
    }

    [Fact]
    public void A_sweep_with_a_depth_axis_records_depth_and_rule_and_summarises_across_depth()
    {
        string folder = _folder.File("sweep");
        string[] args = ["sweep", "--parameterizations", "supar", "--sparsities", "0", "--widths", "32", "--depths", "1", "2", "--depth-rules", "none", "completep",
            "--log2-lrs", "-8", "-6", "--batch", "2", "--context", "8", "--steps", "2", "--out", folder];
        var (code, output, error) = Invoke(args);
        Assert.True(code == 0, error);
        Assert.Contains("8 runs (1 parameterizations × 1 sparsities × 1 widths × 2 depths × 2 depth rules × 2 LRs × 1 seeds)", output);
        string csv = Path.Combine(folder, LearningRateSweep.CsvFile);
        Assert.Equal(SweepRecord.DepthHeader, File.ReadLines(csv).First());
        var records = SweepCsv.Read(csv, depth: true);
        Assert.Equal(8, records.Count);
        Assert.Equal([(1, DepthRule.CompleteP), (1, DepthRule.None), (2, DepthRule.CompleteP), (2, DepthRule.None)],
            records.Select(r => (r.Run.Depth, r.Run.DepthRule)).Distinct().OrderBy(k => k.Depth).ThenBy(k => k.DepthRule.Token()));
        string summary = File.ReadAllText(Path.Combine(folder, LearningRateSweep.SummaryFile));
        Assert.Contains("| width | parameterization | depth rule | density | depth 1 | depth 2 | drift |", summary);
        Assert.True(File.Exists(Path.Combine(folder, "sweep-depth-width-32-density-1.png")));

        // Resuming the same grid runs nothing; a folder of a sweep without a depth axis refuses this one.
        Assert.Contains("8 already done, 0 to run", Invoke(args).Output);
        string plain = _folder.File("plain");
        Assert.Equal(0, Invoke("sweep", "--parameterizations", "supar", "--sparsities", "0", "--widths", "32", "--depth", "1", "--log2-lrs", "-8",
            "--batch", "2", "--context", "8", "--steps", "2", "--out", plain).Code);
        var mixed = Invoke([.. args[..^1], plain]);
        Assert.Equal(ExitCodes.BadInput, mixed.Code);
    }
}
