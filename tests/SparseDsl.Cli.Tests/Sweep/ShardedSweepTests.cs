using SparseDsl.Examples.Cli;
using SparseDsl.Experiments.Training;
using SparseDsl.Experiments.Sweep;
using static SparseDsl.Tests.CliRun;

namespace SparseDsl.Tests.Sweep;

/// <summary>
/// A sweep split across tasks (<c>sweep --shard K/N</c>) and joined again (<c>sweep merge</c>) gives what one unsharded
/// run gives; the merge refuses parts that do not make up one grid, naming what is wrong.
/// </summary>
[Trait("Category", "Slow")]
public sealed class ShardedSweepTests : IDisposable
{
    private readonly TempFolder _folder = new("sparsedsl-shards-");

    public void Dispose() => _folder.Dispose();

    // 16 runs of a few steps at widths 32 and 64 (two costs, so the split has something to balance); one thread, so the
    // runs of every invocation take the same code paths.
    private static readonly string[] Grid =
    [
        "sweep", "--parameterizations", "supar", "sp", "--sparsities", "0", "0.5", "--widths", "32", "64", "--log2-lrs", "-8", "-6",
        "--depth", "1", "--batch", "2", "--context", "8", "--steps", "3", "--threads", "1",
    ];

    // Three runs of one cost: one run per part when split in three.
    private static readonly string[] Small =
        ["sweep", "--parameterizations", "supar", "--sparsities", "0.5", "--widths", "32", "--log2-lrs", "-8", "-7", "-6", "--depth", "1", "--batch", "2", "--context", "8", "--steps", "3", "--threads", "1"];

    private static void Succeeds(params string[] args)
    {
        var result = Invoke(args);
        Assert.True(result.Code == 0, $"exit {result.Code}: {result.Error}");
    }

    // Everything but the wall time (the last field), which no two runs share.
    private static string[] Results(string folder) =>
        File.ReadAllLines(Path.Combine(folder, LearningRateSweep.CsvFile)).Select(l => l[..l.LastIndexOf(',')]).ToArray();

    /// <remarks>
    /// Bit for bit on the CPU, where a run is a pure function of its cell: the same process and thread count give the
    /// same float32 arithmetic, and the CSV writes every double round-trip ("R"). On CUDA, kernels such as the
    /// embedding's backward accumulate with atomics in no fixed order, so the same comparison could only hold to a
    /// tolerance, and the test is about the merge, not the device: it runs on the CPU whatever SPARSEDSL_DEVICE says.
    /// </remarks>
    [Fact]
    public void Three_shards_run_separately_and_merged_equal_one_unsharded_run_bit_for_bit()
    {
        string whole = _folder.File("whole"), sharded = _folder.File("sharded");
        Succeeds([.. Grid, "--device", "cpu", "--out", whole]);
        for (int k = 1; k <= 3; k++) Succeeds([.. Grid, "--device", "cpu", "--shard", $"{k}/3", "--out", sharded]);
        var merged = Invoke("sweep", "merge", sharded, "--out", sharded);
        Assert.True(merged.Code == 0, merged.Error);
        Assert.Contains("Merged 3 parts, 16 runs", merged.Output);

        // Every part ran something, and no run twice: 16 rows across the three parts' CSVs.
        var parts = Enumerable.Range(1, 3).Select(k => Results(Path.Combine(sharded, $"shard-{k}-of-3")).Length - 1).ToList();
        Assert.All(parts, n => Assert.True(n > 0));
        Assert.Equal(16, parts.Sum());

        Assert.Equal(17, Results(whole).Length);
        Assert.Equal(Results(whole), Results(sharded));
        foreach (string file in new[] { LearningRateSweep.SummaryFile, LearningRateSweep.SettingsFile, "sweep-width-32.png", "sweep-width-64.png" })
            Assert.True(File.ReadAllBytes(Path.Combine(whole, file)).SequenceEqual(File.ReadAllBytes(Path.Combine(sharded, file))), $"{file} differs");
    }

    [Fact]
    public void The_split_puts_every_run_in_one_part_and_balances_the_flops()
    {
        var settings = new SweepSettings
        {
            Parameterizations = [Parameterization.SuPar, Parameterization.Standard],
            Sparsities = [0, 0.5, 0.75],
            Widths = [64, 128, 256],
            Log2LearningRates = [-9, -8, -7, -6],
            Depth = 1,
        };
        var runs = settings.Runs();
        var costs = SweepPartition.Costs(settings, runs);
        for (int count = 1; count <= 7; count++)
        {
            var assignment = SweepPartition.Assign(settings, count);
            Assert.Equal(runs.Select(r => r.Key).Order(), assignment.Keys.Order());
            Assert.All(assignment.Values, p => Assert.InRange(p, 1, count));
            Assert.Equal(assignment, SweepPartition.Assign(settings, count)); // the same split every time it is computed

            var loads = Enumerable.Range(1, count).Select(p => Enumerable.Range(0, runs.Count).Where(i => assignment[runs[i].Key] == p).Sum(i => costs[i])).ToList();
            // Longest-first onto the lightest part: no part exceeds another by more than one run's cost.
            Assert.True(loads.Max() - loads.Min() <= costs.Max(), $"{count} parts: loads {string.Join(", ", loads)}");
            var shardRuns = Enumerable.Range(1, count).SelectMany(k => SweepPartition.Runs(settings, new SweepShard(k, count))).Select(r => r.Key).ToList();
            Assert.Equal(runs.Count, shardRuns.Distinct().Count());
            Assert.Equal(runs.Count, shardRuns.Count);
        }
        // Width 256 costs more than width 64 (the estimate the split rests on).
        Assert.True(costs[runs.ToList().FindIndex(r => r.Width == 256)] > 4 * costs[runs.ToList().FindIndex(r => r.Width == 64)]);
    }

    [Theory]
    [InlineData("2/3", null, 2, 3)]
    [InlineData("slurm", "SLURM_ARRAY_TASK_ID=0 SLURM_ARRAY_TASK_MIN=0 SLURM_ARRAY_TASK_MAX=9 SLURM_ARRAY_TASK_COUNT=10", 1, 10)]
    [InlineData("slurm", "SLURM_ARRAY_TASK_ID=10 SLURM_ARRAY_TASK_MIN=1 SLURM_ARRAY_TASK_MAX=10 SLURM_ARRAY_TASK_COUNT=10", 10, 10)]
    [InlineData("kubernetes/4", "JOB_COMPLETION_INDEX=3", 4, 4)]
    [InlineData("k8s/4", "JOB_COMPLETION_INDEX=0", 1, 4)]
    public void A_shard_comes_from_the_command_line_or_the_schedulers_variables(string spec, string? variables, int index, int count) =>
        Assert.Equal(new SweepShard(index, count), SweepShard.Parse(spec, Environment(variables)));

    [Theory]
    [InlineData("0/3", null, "numbered from 1")]
    [InlineData("4/3", null, "outside 1 … 3")]
    [InlineData("2", null, "--shard expects")]
    [InlineData("a/3", null, "--shard expects")]
    [InlineData("slurm", null, "SLURM_ARRAY_TASK_ID is not set")]
    [InlineData("slurm", "SLURM_ARRAY_TASK_ID=3 SLURM_ARRAY_TASK_MIN=1 SLURM_ARRAY_TASK_MAX=5 SLURM_ARRAY_TASK_COUNT=3", "contiguous range")]
    [InlineData("kubernetes/3", null, "JOB_COMPLETION_INDEX is not set")]
    [InlineData("kubernetes/3", "JOB_COMPLETION_INDEX=3", "outside 1 … 3")]
    public void A_shard_that_cannot_be_is_refused_with_the_reason(string spec, string? variables, string message) =>
        Assert.Contains(message, Assert.Throws<ArgumentException>(() => SweepShard.Parse(spec, Environment(variables))).Message);

    private static Func<string, string?> Environment(string? variables)
    {
        var values = (variables ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(v => v.Split('=')).ToDictionary(v => v[0], v => v[1]);
        return name => values.GetValueOrDefault(name);
    }

    [Fact]
    public void A_crashed_shard_rerun_with_the_same_index_continues_and_a_changed_grid_is_refused()
    {
        string output = _folder.File("sweep");
        Succeeds([.. Grid, "--shard", "3/3", "--out", output]);
        string csv = Path.Combine(output, "shard-3-of-3", LearningRateSweep.CsvFile);
        string[] full = File.ReadAllLines(csv);
        Assert.True(full.Length >= 4, "part 3 of 3 should hold at least three runs");
        // A crash after two runs, in the middle of writing the third.
        File.WriteAllText(csv, string.Join('\n', full.Take(3)) + "\n" + full[3][..10]);

        var again = Invoke([.. Grid, "--shard", "3/3", "--out", output]);
        Assert.Equal(0, again.Code);
        Assert.Contains($"2 already done, {full.Length - 3} to run", again.Output);
        Assert.Equal(full.Take(3), File.ReadAllLines(csv).Take(3));
        Assert.Equal(full.Length, File.ReadAllLines(csv).Length);

        var wider = Invoke([.. Grid[..13], "-4", .. Grid[13..], "--shard", "3/3", "--out", output]);
        Assert.Equal(ExitCodes.BadInput, wider.Code);
        Assert.Contains("another grid", wider.Error);
        Assert.Contains("log2_lrs -8,-6 vs -8,-6,-4", wider.Error);
    }

    private string RunParts(string name, string[] grid, params int[] parts)
    {
        string output = _folder.File(name);
        foreach (int k in parts) Succeeds([.. grid, "--shard", $"{k}/3", "--out", output]);
        return output;
    }

    private static void Refused(string expected, params string[] args)
    {
        var result = Invoke(["sweep", "merge", .. args]);
        Assert.True(result.Code == ExitCodes.BadInput, $"exit {result.Code}, expected {ExitCodes.BadInput}: {result.Error}");
        Assert.Contains(expected, result.Error);
    }

    [Fact]
    public void Parts_of_different_grids_are_refused_naming_the_difference()
    {
        string a = RunParts("a", Small, 1, 2, 3);
        string b = RunParts("b", [.. Small[..14], "4", .. Small[15..]], 3); // batch 4 instead of 2
        string merged = _folder.File("merged");
        Refused("parts of different sweeps (batch 2 vs 4)", Path.Combine(a, "shard-1-of-3"), Path.Combine(a, "shard-2-of-3"), Path.Combine(b, "shard-3-of-3"), "--out", merged);
        Assert.False(File.Exists(Path.Combine(merged, LearningRateSweep.CsvFile)));
    }

    [Fact]
    public void A_missing_part_or_an_unfinished_one_is_refused_naming_its_runs()
    {
        string output = RunParts("sweep", Small, 1, 3);
        var split = SweepPartition.Assign(Settings(), 3);
        string lr = split.Single(p => p.Value == 2).Key.Split('|')[3];
        Refused($"1 run missing: supar sparsity 0.5 width 32 log2-lr {lr} seed 1; part 2/3 was not given: 1 run, in a folder shard-2-of-3", output, "--out", output);

        // Part 3 crashed before writing its run.
        RunParts("sweep", Small, 2);
        string csv = Path.Combine(output, "shard-3-of-3", LearningRateSweep.CsvFile);
        File.WriteAllLines(csv, File.ReadAllLines(csv).Take(1));
        Refused("lacks 1: re-run it with --shard 3/3", output, "--out", output);
        Assert.False(File.Exists(Path.Combine(output, LearningRateSweep.CsvFile)));
    }

    [Fact]
    public void Overlapping_runs_and_a_part_given_twice_are_refused_naming_them()
    {
        string output = RunParts("sweep", Small, 1, 2, 3);
        string one = Path.Combine(output, "shard-1-of-3"), two = Path.Combine(output, "shard-2-of-3");
        string copy = _folder.File("copy-of-1");
        Directory.CreateDirectory(copy);
        foreach (string file in Directory.GetFiles(one)) File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        Refused("part 1/3 is given twice", output, copy, "--out", _folder.File("merged"));

        // Part 1's run copied into part 2's results.
        File.AppendAllLines(Path.Combine(two, LearningRateSweep.CsvFile), File.ReadAllLines(Path.Combine(one, LearningRateSweep.CsvFile)).Skip(1));
        var run = SweepCsv.Read(Path.Combine(one, LearningRateSweep.CsvFile)).Single().Run;
        Refused($"1 run overlapping: {SweepMerge.Label(run)} in {one} and {two}", output, "--out", _folder.File("merged"));
    }

    [Fact]
    public void A_folder_without_parts_is_refused()
    {
        Directory.CreateDirectory(_folder.File("empty"));
        Refused("holds no sweep part", _folder.File("empty"));
        Refused("does not exist", _folder.File("nowhere"));
    }

    [Fact]
    public void Merging_again_after_a_part_is_rerun_rewrites_the_same_files_and_never_drops_other_runs()
    {
        string output = RunParts("sweep", Small, 1, 2, 3);
        Succeeds("sweep", "merge", output, "--out", output);
        byte[] first = File.ReadAllBytes(Path.Combine(output, LearningRateSweep.CsvFile));
        Succeeds("sweep", "merge", output, "--out", output);
        Assert.Equal(first, File.ReadAllBytes(Path.Combine(output, LearningRateSweep.CsvFile)));

        // The merged folder is a plain sweep folder: the unsharded command finds every run done.
        var resumed = Invoke([.. Small, "--out", output]);
        Assert.Contains("3 already done, 0 to run", resumed.Output);

        // A folder that holds a run these parts do not: another sweep's results, kept.
        string other = _folder.File("other");
        Succeeds([.. Small[..11], "-5", .. Small[11..], "--out", other]);
        byte[] kept = File.ReadAllBytes(Path.Combine(other, LearningRateSweep.CsvFile));
        Refused("already holds 1 runs that are not in these parts", output, "--out", other);
        Assert.Equal(kept, File.ReadAllBytes(Path.Combine(other, LearningRateSweep.CsvFile)));
    }

    private static SweepSettings Settings() => new()
    {
        Parameterizations = [Parameterization.SuPar],
        Sparsities = [0.5],
        Widths = [32],
        Log2LearningRates = [-8, -7, -6],
        Depth = 1,
        Batch = 2,
        Context = 8,
        Steps = 3,
    };
}
