using System.Globalization;
using System.Text;
using SparseDsl.Experiments.Training;
using SparseDsl.Experiments.Sweep;

namespace SparseDsl.Experiments.Vision;

/// <summary>
/// What the folder of one part of a sharded vision sweep says about itself: which part it is, and the whole grid and
/// shared settings it is a part of (<see cref="Body"/>), so that <c>vision-sweep merge</c> can rebuild the grid and refuse
/// parts of another. Kept in <see cref="SweepManifest.FileName"/>, as the LM sweep's manifest.
/// </summary>
/// <param name="Shard">Which part.</param>
/// <param name="Body">The grid (parameterizations, sparsities, width, LRs, seeds) and the shared settings, one <c>key=value</c> a line.</param>
public sealed record VisionSweepManifest(SweepShard Shard, string Body)
{
    private const string Comment = "# One part of a SparseDsl vision sweep; `vision-sweep merge` joins the parts of one grid. Do not edit.";

    /// <summary>The file's text.</summary>
    public string ToText() => $"{Comment}\nshard={Shard}\n{Body}";

    /// <summary>The value of <paramref name="key"/> in <see cref="Body"/>.</summary>
    public string Value(string key) =>
        Body.Split('\n').FirstOrDefault(l => l.StartsWith(key + "=", StringComparison.Ordinal))?[(key.Length + 1)..]
        ?? throw new InvalidDataException($"The vision sweep manifest has no '{key}' line.");

    /// <summary>The whole grid, in the order the unsharded sweep runs it.</summary>
    public IReadOnlyList<SweepRun> Grid() => VisionSweep.Runs(
        Value("parameterizations").Split(',').Select(ParameterizationNames.Parse).ToList(),
        Value("sparsities").Split(',').Select(s => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture)).ToList(),
        int.Parse(Value("width"), CultureInfo.InvariantCulture),
        Value("log2_lrs").Split(',').Select(k => int.Parse(k, NumberStyles.Integer, CultureInfo.InvariantCulture)).ToList(),
        int.Parse(Value("seeds"), CultureInfo.InvariantCulture));

    /// <summary>The shared settings lines, as <c>sweep-settings.txt</c> holds them.</summary>
    public string SharedSettings => string.Concat(Body.Split('\n').SkipWhile(l => !l.StartsWith("model=", StringComparison.Ordinal)).Where(l => l.Length > 0).Select(l => l + "\n"));

    /// <summary>The settings every run shares, as far as the split and the results need them (model and depth).</summary>
    public VisionSettings Shared()
    {
        var model = Enum.Parse<VisionModel>(Value("model"));
        string depth = Value("depth");
        return VisionSettings.For(model) with
        {
            Depth = depth == "declared" ? null : int.Parse(depth, CultureInfo.InvariantCulture),
            Epochs = int.Parse(Value("epochs"), CultureInfo.InvariantCulture),
            Batch = int.Parse(Value("batch"), CultureInfo.InvariantCulture),
        };
    }

    /// <summary>Reads a manifest file; a file that is not one is an <see cref="InvalidDataException"/> naming it.</summary>
    public static VisionSweepManifest Read(string path)
    {
        var lines = File.ReadAllText(path).Split('\n').ToList();
        int at = lines.FindIndex(l => l.StartsWith("shard=", StringComparison.Ordinal));
        if (at < 0 || !lines.Any(l => l.StartsWith("parameterizations=", StringComparison.Ordinal)))
            throw new InvalidDataException($"{path} is not a vision sweep part's manifest (an LM sweep's parts merge with 'sweep merge').");
        var shard = SweepShard.Parse(lines[at]["shard=".Length..], _ => null);
        return new VisionSweepManifest(shard, string.Join('\n', lines.Skip(at + 1)));
    }
}

/// <summary>
/// Sharding of the vision sweep, the LM sweep's way: <c>--shard K/N</c> (<see cref="SweepShard"/>: K/N, slurm,
/// kubernetes/N) runs the part that <see cref="SweepPartition"/> gives it, balanced by training FLOPs, into
/// <c>--out/shard-K-of-N</c>; <c>vision-sweep merge</c> joins the parts into what one unsharded sweep writes.
/// </summary>
public static class VisionSweepShards
{
    /// <summary>The part of every run of <paramref name="grid"/>, split by training FLOPs per image as the LM sweep splits by FLOPs per token.</summary>
    public static IReadOnlyDictionary<string, int> Assign(VisionSettings shared, IReadOnlyList<SweepRun> grid, int count)
    {
        var costs = new Dictionary<(Parameterization, double), double>();
        return SweepPartition.Assign(grid, grid.Select(run =>
        {
            var shape = (run.Parameterization, run.Sparsity);
            if (!costs.TryGetValue(shape, out double cost))
            {
                var settings = VisionSweep.Settings(shared, run);
                costs[shape] = cost = ModelCost.TrainingFlopsPerToken(settings.Plan(), settings.PositionsPerImage);
            }
            return cost;
        }).ToList(), count);
    }

    /// <summary>The manifest of part <paramref name="shard"/> of the sweep of <paramref name="grid"/>.</summary>
    public static VisionSweepManifest Manifest(VisionSettings shared, Data.LabelledImages train, Data.LabelledImages test, IReadOnlyList<SweepRun> grid, SweepShard shard)
    {
        string Join<T>(IEnumerable<T> values) => string.Join(',', values.Select(v => FormattableString.Invariant($"{v}")));
        string body =
            $"parameterizations={string.Join(',', grid.Select(r => r.Parameterization).Distinct().Select(p => p.Token()))}\n" +
            $"sparsities={string.Join(',', grid.Select(r => r.Sparsity).Distinct().Select(s => s.ToString("R", CultureInfo.InvariantCulture)))}\n" +
            FormattableString.Invariant($"width={grid[0].Width}\nlog2_lrs={Join(grid.Select(r => r.Log2LearningRate).Distinct())}\nseeds={grid.Max(r => r.Seed)}\n") +
            VisionSweep.SharedSettings(shared, train.Count, test.Count);
        return new VisionSweepManifest(shard, body);
    }

    /// <summary>Writes the manifest into a part's folder, or refuses one that holds another grid's part.</summary>
    public static void CheckManifest(VisionSweepManifest manifest, string folder)
    {
        string path = Path.Combine(folder, SweepManifest.FileName);
        if (File.Exists(path))
        {
            var existing = VisionSweepManifest.Read(path);
            if (existing != manifest)
                throw new ArgumentException($"{path} records part {existing.Shard} of another vision sweep grid; use another --out or the same grid and --shard.");
            return;
        }
        AtomicFile.Write(path, stream => stream.Write(Encoding.UTF8.GetBytes(manifest.ToText())));
    }

    /// <summary>Merges the parts found in <paramref name="paths"/> into <paramref name="output"/>; returns 0, the exit code of success.</summary>
    public static int Merge(IReadOnlyList<string> paths, string output, TextWriter log)
    {
        var parts = SweepMerge.ShardFolders(paths).Select(f => (Folder: f, Manifest: VisionSweepManifest.Read(Path.Combine(f, SweepManifest.FileName)))).ToList();
        var (firstFolder, first) = parts[0];
        var byIndex = new Dictionary<int, string>();
        foreach (var (folder, manifest) in parts)
        {
            if (manifest.Body != first.Body || manifest.Shard.Count != first.Shard.Count)
                throw new ArgumentException($"{firstFolder} and {folder} are parts of different vision sweeps: merge the parts of one grid.");
            if (!byIndex.TryAdd(manifest.Shard.Index, folder))
                throw new ArgumentException($"Cannot merge: part {manifest.Shard} is given twice, {byIndex[manifest.Shard.Index]} and {folder}.");
        }
        var shared = first.Shared();
        var grid = first.Grid();
        var assignment = Assign(shared, grid, first.Shard.Count);
        var found = new Dictionary<string, VisionSweepRecord>();
        var problems = new List<string>();
        foreach (var (index, folder) in byIndex.OrderBy(p => p.Key))
        {
            foreach (var record in VisionSweep.ReadCsv(Path.Combine(folder, VisionSweep.CsvFile)))
            {
                string label = SweepMerge.Label(record.Run);
                if (!assignment.TryGetValue(record.Run.Key, out int owner)) problems.Add($"{label} in {folder} is not in the grid");
                else if (owner != index) problems.Add($"{label} in {folder} belongs to part {owner}/{first.Shard.Count}");
                else if (!found.TryAdd(record.Run.Key, record)) problems.Add($"{label} is twice in {folder}");
            }
        }
        var missing = grid.Where(r => !found.ContainsKey(r.Key)).ToList();
        if (missing.Count > 0)
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"{missing.Count} runs missing (first: {SweepMerge.Label(missing[0])}, part {assignment[missing[0].Key]}/{first.Shard.Count}); run the missing parts with --shard to finish them"));
        if (problems.Count > 0) throw new ArgumentException($"Cannot merge: {string.Join("; ", problems)}.");

        Directory.CreateDirectory(output);
        VisionSweep.CheckSharedSettings(first.SharedSettings, Path.Combine(output, VisionSweep.SettingsFile));
        string csv = Path.Combine(output, VisionSweep.CsvFile);
        var keys = grid.Select(r => r.Key).ToHashSet();
        if (VisionSweep.ReadCsv(csv).FirstOrDefault(r => !keys.Contains(r.Run.Key)) is { } other)
            throw new ArgumentException($"{csv} already holds runs that are not in these parts (first: {SweepMerge.Label(other.Run)}); merge into another --out.");
        var records = grid.Select(r => found[r.Key]).ToList();
        var text = new StringBuilder().Append(VisionSweepRecord.Header).Append('\n');
        foreach (var record in records) text.Append(record.ToCsv()).Append('\n');
        AtomicFile.Write(csv, stream => stream.Write(Encoding.UTF8.GetBytes(text.ToString())));
        int trainImages = int.Parse(first.Value("train-images"), CultureInfo.InvariantCulture);
        VisionSweep.WriteResults(shared.Model, shared.Epochs, shared.Batch, trainImages, grid[0].Width, records, output, log);
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Merged {byIndex.Count} parts, {records.Count} runs: wrote {csv}, {Path.Combine(output, VisionSweep.SummaryFile)} and {Path.Combine(output, "sweep.png")}."));
        return 0;
    }
}
