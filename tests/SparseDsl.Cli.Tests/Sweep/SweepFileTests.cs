using SparseDsl.Examples.Cli;
using SparseDsl.Experiments.Training;
using SparseDsl.Experiments.Sweep;
using static SparseDsl.Tests.CliRun;

namespace SparseDsl.Tests.Sweep;

/// <summary>The sweep's files and command: resuming skips finished runs, damaged or foreign files are handled, bad input is refused.</summary>
[Trait("Category", "Slow")]
public sealed class SweepFileTests : IDisposable
{
    private readonly TempFolder _folder = new("sparsedsl-sweep-");

    public void Dispose() => _folder.Dispose();

    private static readonly string[] Tiny = ["sweep", "--parameterizations", "supar", "--sparsities", "0.5", "--widths", "32", "--depth", "1", "--batch", "2", "--context", "8", "--steps", "3"];

    [Fact]
    public void A_restarted_sweep_runs_only_what_is_missing_and_drops_a_line_cut_short()
    {
        string output = _folder.File("sweep");
        var first = Invoke([.. Tiny, "--log2-lrs", "-8", "-6", "--out", output]);
        Assert.Equal(0, first.Code);
        Assert.Contains("2 runs", first.Output);
        string csv = Path.Combine(output, LearningRateSweep.CsvFile);
        string[] before = File.ReadAllLines(csv);
        Assert.Equal(3, before.Length);

        // A crash mid-append leaves a line without its newline.
        File.AppendAllText(csv, "SuPar,0.5,0.5,32,-4");

        var second = Invoke([.. Tiny, "--log2-lrs", "-8", "-6", "-4", "--out", output]);
        Assert.Equal(0, second.Code);
        Assert.Contains("2 already done, 1 to run", second.Output);
        string[] after = File.ReadAllLines(csv);
        Assert.Equal(before, after.Take(3));
        Assert.Equal(4, after.Length);
        var records = SweepCsv.Read(csv);
        Assert.Equal([-8, -6, -4], records.Select(r => r.Run.Log2LearningRate));
        Assert.True(File.Exists(Path.Combine(output, LearningRateSweep.SummaryFile)));
        Assert.True(File.Exists(Path.Combine(output, "sweep-width-32.png")));

        // Nothing left to do: nothing is re-run and the file is unchanged.
        var third = Invoke([.. Tiny, "--log2-lrs", "-8", "-6", "-4", "--out", output]);
        Assert.Contains("3 already done, 0 to run", third.Output);
        Assert.Equal(after, File.ReadAllLines(csv));
    }

    [Fact]
    public void Other_shared_settings_in_the_same_folder_are_refused_and_the_file_kept()
    {
        string output = _folder.File("sweep");
        Assert.Equal(0, Invoke([.. Tiny, "--log2-lrs", "-8", "--out", output]).Code);
        string csv = File.ReadAllText(Path.Combine(output, LearningRateSweep.CsvFile));

        var longer = Invoke([.. Tiny[..^1], "5", "--log2-lrs", "-8", "--out", output]);
        Assert.Equal(ExitCodes.BadInput, longer.Code);
        Assert.Contains("other shared settings", longer.Error);
        Assert.Equal(csv, File.ReadAllText(Path.Combine(output, LearningRateSweep.CsvFile)));
    }

    [Fact]
    public void A_foreign_csv_is_refused_by_name()
    {
        string output = _folder.File("sweep");
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, LearningRateSweep.CsvFile), "name,value\na,1\n");
        var result = Invoke([.. Tiny, "--log2-lrs", "-8", "--out", output]);
        Assert.Equal(ExitCodes.BadInput, result.Code);
        Assert.Contains("is not a sweep results file", result.Error);
    }

    [Theory]
    [InlineData("--sparsities", "1", "sparsities in [0, 1)")]
    [InlineData("--widths", "48", "positive multiples of 32")]
    [InlineData("--parameterizations", "ntk", "sp, mup and/or supar")]
    [InlineData("--log2-lrs", "5", "integers in [-30, 2]")]
    public void Bad_grid_values_are_refused_before_anything_runs(string option, string value, string message)
    {
        string output = _folder.File("bad");
        var result = Invoke(["sweep", option, value, "--out", output]);
        Assert.Equal(ExitCodes.BadInput, result.Code);
        Assert.Contains(message, result.Error);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void Diverged_runs_rank_last_and_an_optimum_at_the_grid_edge_is_marked()
    {
        SweepRecord R(int log2, double loss, bool diverged = false) =>
            new(new SweepRun(Parameterization.SuPar, 0.5, 64, log2, 1), 10, loss, loss, diverged, 1);
        var optima = SweepAnalysis.Optima([R(-9, 2.5), R(-8, 2.1), R(-7, double.NaN, diverged: true)]);
        var optimum = Assert.Single(optima);
        Assert.Equal(-8, optimum.Log2LearningRate);
        Assert.False(optimum.AtGridEdge);

        var edge = SweepAnalysis.Optima([R(-9, 2.0), R(-8, 2.1)]);
        Assert.True(Assert.Single(edge).AtGridEdge);
    }
}
