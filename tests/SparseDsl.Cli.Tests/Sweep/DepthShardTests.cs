using SparseDsl.Examples.Cli;
using SparseDsl.Experiments.Training;
using SparseDsl.Experiments.Sweep;
using static SparseDsl.Tests.CliRun;

namespace SparseDsl.Tests.Sweep;

/// <summary>
/// The depth axis of a sweep (<c>--depths</c>, <c>--depth-rules</c>) in sharded sweeps: it is part of the manifest's grid
/// and fingerprint, the split spreads depth cells by their cost, and merged parts equal one unsharded run.
/// </summary>
[Trait("Category", "Slow")]
public sealed class DepthShardTests : IDisposable
{
    private readonly TempFolder _folder = new("sparsedsl-depth-shards-");

    public void Dispose() => _folder.Dispose();

    // 8 runs: depths 1 and 2 × two rules × two LRs, each a few steps at width 32 on the CPU with one thread.
    private static readonly string[] Grid =
    [
        "sweep", "--parameterizations", "supar", "--sparsities", "0.5", "--widths", "32", "--log2-lrs", "-8", "-6",
        "--depths", "1", "2", "--depth-rules", "none", "completep", "--batch", "2", "--context", "8", "--steps", "2", "--threads", "1", "--device", "cpu",
    ];

    private static SweepSettings Settings(IReadOnlyList<int>? depths, params DepthRule[] rules) => new()
    {
        Parameterizations = [Parameterization.SuPar],
        Sparsities = [0.5],
        Widths = [32],
        Log2LearningRates = [-8, -7],
        Depth = 1,
        Depths = depths,
        DepthRules = rules.Length == 0 ? [DepthRule.None] : rules,
        Batch = 2,
        Context = 8,
        Steps = 3,
    };

    [Fact]
    public void The_manifest_carries_the_depth_axis_and_its_fingerprint_tells_grids_apart()
    {
        var shard = new SweepShard(1, 2);
        var plain = new SweepManifest(Settings(null), shard);
        var deep = new SweepManifest(Settings([1, 2, 4], DepthRule.None, DepthRule.CompleteP), shard);
        var otherRules = new SweepManifest(Settings([1, 2, 4], DepthRule.None, DepthRule.DepthMuP), shard);
        var otherDepths = new SweepManifest(Settings([1, 2], DepthRule.None, DepthRule.CompleteP), shard);
        var rulesOnly = new SweepManifest(Settings(null, DepthRule.CompleteP), shard);

        // A sweep without a depth axis writes no depth lines: its manifest is the one written before depth axes existed.
        Assert.DoesNotContain(plain.Grid(), g => g.Key is "depths" or "depth_rules");
        Assert.Equal(5, new[] { plain, deep, otherRules, otherDepths, rulesOnly }.Select(m => m.Fingerprint).Distinct().Count());
        Assert.Equal(["depth_rules none,depth-mup vs none,completep"], otherRules.Differences(deep));
        Assert.Equal(["depths 1,2 vs 1,2,4"], otherDepths.Differences(deep));
        Assert.Contains(plain.Differences(deep), d => d.StartsWith("depths none vs 1,2,4", StringComparison.Ordinal));

        foreach (var manifest in new[] { deep, rulesOnly })
        {
            string folder = _folder.File(manifest.Fingerprint);
            Directory.CreateDirectory(folder);
            manifest.Write(folder);
            var read = SweepManifest.Read(Path.Combine(folder, SweepManifest.FileName));
            Assert.Equal(manifest.Fingerprint, read.Fingerprint);
            Assert.Empty(read.Differences(manifest));
            Assert.Equal(manifest.Settings.Depths, read.Settings.Depths);
            Assert.Equal(manifest.Settings.DepthRules, read.Settings.DepthRules);
            Assert.Equal(manifest.Settings.Runs().Select(r => r.Key), read.Settings.Runs().Select(r => r.Key));
        }
    }

    [Fact]
    public void The_split_costs_depth_and_puts_every_depth_cell_in_one_part()
    {
        var settings = Settings([1, 2, 4, 8], DepthRule.None, DepthRule.CompleteP);
        var runs = settings.Runs();
        var costs = SweepPartition.Costs(settings, runs);
        double Cost(int depth) => costs[runs.ToList().FindIndex(r => r.Depth == depth)];
        Assert.True(Cost(8) > 2 * Cost(2), $"depth 8 costs {Cost(8)}, depth 2 {Cost(2)}");
        for (int count = 1; count <= 5; count++)
        {
            var parts = Enumerable.Range(1, count).SelectMany(k => SweepPartition.Runs(settings, new SweepShard(k, count))).Select(r => r.Key).ToList();
            Assert.Equal(runs.Select(r => r.Key).Order(), parts.Order());
        }
    }

    /// <remarks>Bit for bit on the CPU, as in <see cref="ShardedSweepTests"/>: a run is a pure function of its cell there.</remarks>
    [Fact]
    public void Depth_shards_merged_equal_one_unsharded_run_and_parts_of_other_depth_rules_are_refused()
    {
        string whole = _folder.File("whole"), sharded = _folder.File("sharded"), other = _folder.File("other");
        Succeeds([.. Grid, "--out", whole]);
        for (int k = 1; k <= 2; k++) Succeeds([.. Grid, "--shard", $"{k}/2", "--out", sharded]);
        var merged = Invoke("sweep", "merge", sharded, "--out", sharded);
        Assert.True(merged.Code == 0, merged.Error);
        Assert.Contains("Merged 2 parts, 8 runs", merged.Output);

        string[] wholeRows = Results(whole), mergedRows = Results(sharded);
        Assert.Equal(SweepRecord.DepthHeader, File.ReadAllLines(Path.Combine(whole, LearningRateSweep.CsvFile))[0]);
        Assert.Equal(9, wholeRows.Length);
        Assert.Equal(wholeRows, mergedRows);
        foreach (string file in new[] { LearningRateSweep.SummaryFile, LearningRateSweep.SettingsFile })
            Assert.True(File.ReadAllBytes(Path.Combine(whole, file)).SequenceEqual(File.ReadAllBytes(Path.Combine(sharded, file))), $"{file} differs");

        // The same grid under other depth rules is another sweep: its part does not merge with these.
        string[] otherGrid = [.. Grid[..Array.IndexOf(Grid, "completep")], "depth-mup", .. Grid[(Array.IndexOf(Grid, "completep") + 1)..]];
        Succeeds([.. otherGrid, "--shard", "2/2", "--out", other]);
        var refused = Invoke("sweep", "merge", Path.Combine(sharded, "shard-1-of-2"), Path.Combine(other, "shard-2-of-2"), "--out", _folder.File("mixed"));
        Assert.True(refused.Code == ExitCodes.BadInput, $"exit {refused.Code}: {refused.Error}");
        Assert.Contains("depth_rules none,completep vs none,depth-mup", refused.Error);
    }

    private static void Succeeds(params string[] args)
    {
        var result = Invoke(args);
        Assert.True(result.Code == 0, $"exit {result.Code}: {result.Error}");
    }

    // Everything but the wall time: the depth axis's two columns follow it, so the seconds field is cut out of each row.
    private static string[] Results(string folder) =>
        File.ReadAllLines(Path.Combine(folder, LearningRateSweep.CsvFile)).Select(WithoutSeconds).ToArray();

    private static string WithoutSeconds(string line)
    {
        var fields = line.Split(',').ToList();
        fields.RemoveAt(11); // "seconds", the 12th column of SweepRecord.Header
        return string.Join(',', fields);
    }
}
