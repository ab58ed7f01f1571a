using System.Globalization;

namespace SparseDsl.Experiments.Sweep;

/// <summary>The parts of one sweep, joined: its grid and every run of it, in grid order.</summary>
/// <param name="Settings">The grid and shared settings every part recorded.</param>
/// <param name="Records">One record per run of the grid, in <see cref="SweepSettings.Runs"/> order.</param>
/// <param name="Parts">The folder each part was read from, by part number.</param>
public sealed record MergedSweep(SweepSettings Settings, IReadOnlyList<SweepRecord> Records, IReadOnlyDictionary<int, string> Parts);

/// <summary>
/// Joins the shard folders of a sweep (<see cref="SweepShard"/>) into the runs of the whole grid, refusing anything that
/// would make the result differ from one unsharded run's: parts of different grids or settings, a part given twice, a
/// run found in two places or in the wrong part, and runs missing from every part. Each refusal names what it found.
/// </summary>
public static class SweepMerge
{
    /// <summary>How many cells a refusal names before it says "and N more".</summary>
    private const int Named = 8;

    /// <summary>
    /// The shard folders that <paramref name="paths"/> name: each path is a shard folder (it holds
    /// <see cref="SweepManifest.FileName"/>) or a folder whose <c>shard-K-of-N</c> subfolders are (a sharded sweep's
    /// <c>--out</c>). A path that is neither is bad input.
    /// </summary>
    public static IReadOnlyList<string> ShardFolders(IEnumerable<string> paths)
    {
        var folders = new List<string>();
        foreach (string path in paths)
        {
            if (!Directory.Exists(path)) throw new DirectoryNotFoundException($"{path} does not exist or is not a folder.");
            if (File.Exists(Path.Combine(path, SweepManifest.FileName)))
            {
                folders.Add(Path.GetFullPath(path));
                continue;
            }
            var inside = Directory.GetDirectories(path, "shard-*-of-*").Where(d => File.Exists(Path.Combine(d, SweepManifest.FileName)))
                .Select(Path.GetFullPath).Order(StringComparer.Ordinal).ToList();
            if (inside.Count == 0)
                throw new ArgumentException($"{path} holds no sweep part: neither it nor a shard-K-of-N folder in it has a {SweepManifest.FileName} (written by sweep --shard).");
            folders.AddRange(inside);
        }
        return folders.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>Reads and checks the parts in <paramref name="folders"/>; throws <see cref="ArgumentException"/> naming every problem found.</summary>
    public static MergedSweep Read(IReadOnlyList<string> folders)
    {
        if (folders.Count == 0) throw new ArgumentException("Give at least one shard folder to merge.");
        var manifests = folders.Select(f => (Folder: f, Manifest: SweepManifest.Read(Path.Combine(f, SweepManifest.FileName)))).ToList();
        var (firstFolder, first) = manifests[0];
        foreach (var (folder, manifest) in manifests.Skip(1))
        {
            var differences = first.Differences(manifest);
            if (differences.Count > 0)
                throw new ArgumentException($"{firstFolder} and {folder} are parts of different sweeps ({string.Join("; ", differences)}): merge the parts of one grid.");
        }

        var problems = new List<string>();
        var parts = new Dictionary<int, string>();
        foreach (var (folder, manifest) in manifests)
        {
            if (parts.TryGetValue(manifest.Shard.Index, out string? other))
                problems.Add($"part {manifest.Shard} is given twice, {other} and {folder}");
            else
                parts[manifest.Shard.Index] = folder;
        }
        var settings = first.Settings;
        int count = first.Shard.Count;
        var assignment = SweepPartition.Assign(settings, count);
        var grid = settings.Runs();

        var found = new Dictionary<string, (SweepRecord Record, string Folder)>();
        var overlapping = new List<string>();
        var misplaced = new List<string>();
        var foreign = new List<string>();
        foreach (var (index, folder) in parts.OrderBy(p => p.Key))
        {
            string csv = Path.Combine(folder, LearningRateSweep.CsvFile);
            if (!File.Exists(csv)) continue; // a part that never started: its runs are reported missing below
            foreach (var record in SweepCsv.Read(csv, settings.HasDepthAxis))
            {
                string key = record.Run.Key;
                if (!assignment.TryGetValue(key, out int owner))
                    foreign.Add($"{Label(record.Run)} in {folder}");
                else if (found.TryGetValue(key, out var earlier))
                    overlapping.Add($"{Label(record.Run)} in {earlier.Folder} and {folder}");
                else
                {
                    if (owner != index) misplaced.Add($"{Label(record.Run)} in {folder} belongs to part {owner}/{count}");
                    found[key] = (record, folder);
                }
            }
        }
        Add(problems, "overlapping", overlapping);
        Add(problems, "in the wrong part", misplaced);
        Add(problems, "not in the grid", foreign);

        var missing = grid.Where(r => !found.ContainsKey(r.Key)).ToList();
        if (missing.Count > 0)
        {
            var byPart = missing.GroupBy(r => assignment[r.Key]).OrderBy(g => g.Key).Select(g => parts.TryGetValue(g.Key, out string? folder)
                ? string.Create(CultureInfo.InvariantCulture, $"part {g.Key}/{count} in {folder} lacks {g.Count()}: re-run it with --shard {g.Key}/{count} to finish it")
                : string.Create(CultureInfo.InvariantCulture, $"part {g.Key}/{count} was not given: {g.Count()} run{(g.Count() == 1 ? "" : "s")}, in a folder shard-{g.Key}-of-{count}"));
            Add(problems, "missing", missing.Select(Label).ToList(), string.Join("; ", byPart));
        }
        if (problems.Count > 0) throw new ArgumentException($"Cannot merge: {string.Join(". ", problems)}.");
        return new MergedSweep(settings, grid.Select(r => found[r.Key].Record).ToList(), parts);
    }

    /// <summary>
    /// A run as a person reads it: <c>supar sparsity 0.5 width 64 log2-lr -8 seed 1</c>, with <c>depth 4 completep</c>
    /// after the width on a depth axis.
    /// </summary>
    public static string Label(SweepRun run) => string.Create(CultureInfo.InvariantCulture,
        $"{run.Parameterization.Token().ToLowerInvariant()} sparsity {run.Sparsity:R} width {run.Width} ")
        + (run.Depth == 0 && run.DepthRule == DepthRule.None ? "" : string.Create(CultureInfo.InvariantCulture, $"depth {run.Depth} {run.DepthRule.Token()} "))
        + string.Create(CultureInfo.InvariantCulture, $"log2-lr {run.Log2LearningRate} seed {run.Seed}");

    private static void Add(List<string> problems, string what, IReadOnlyList<string> cells, string? why = null)
    {
        if (cells.Count == 0) return;
        string named = string.Join(", ", cells.Take(Named)) + (cells.Count > Named ? string.Create(CultureInfo.InvariantCulture, $" and {cells.Count - Named} more") : "");
        problems.Add(string.Create(CultureInfo.InvariantCulture, $"{cells.Count} run{(cells.Count == 1 ? "" : "s")} {what}: {named}") + (why is null ? "" : $"; {why}"));
    }
}
