namespace SparseDsl.Experiments.SparseBenchmark;

/// <summary>What the benchmark compares: one cell per width and sparsity, each trained with dense masked and with sparse storage.</summary>
/// <param name="Model">The LM.</param>
/// <param name="Widths">Model widths.</param>
/// <param name="Sparsities">Sparsities of every sparse layer.</param>
/// <param name="Depth">Transformer blocks.</param>
/// <param name="Batch">Sequences per step.</param>
/// <param name="Context">Tokens per sequence.</param>
/// <param name="Steps">Timed steps per arm.</param>
/// <param name="Warmup">Untimed steps per arm first.</param>
/// <param name="Seed">Weights, masks and batches (the same for both arms of a cell).</param>
/// <param name="Threads">Torch threads per arm.</param>
/// <param name="Repeats">Runs of each arm, the order alternating; the fastest counts.</param>
/// <param name="Storage">The second arm's storage: Auto (what a user gets: the dispatch rule picks per layer) or Sparse (every masked layer forced sparse).</param>
/// <param name="Recompute">Which arms recompute their blocks' activations in the backward pass.</param>
public sealed record SparseBenchmarkSettings(string Model, IReadOnlyList<int> Widths, IReadOnlyList<double> Sparsities, int Depth, int Batch, int Context,
    long Steps, long Warmup, long Seed, int Threads, int Repeats, WeightStorage Storage = WeightStorage.Auto, RecomputedArms Recompute = RecomputedArms.None)
{
    /// <summary>Whether the arm with <paramref name="storage"/> recomputes (the dense arm only under <see cref="RecomputedArms.Both"/>).</summary>
    public bool Recomputes(WeightStorage storage) => storage == WeightStorage.Dense ? Recompute == RecomputedArms.Both : Recompute != RecomputedArms.None;
}

/// <summary>Which arms of the sparse-storage benchmark recompute their blocks' activations (<see cref="ModelOptions.RecomputeBlocks"/>).</summary>
public enum RecomputedArms
{
    /// <summary>Neither: both arms keep every activation, as a default run does.</summary>
    None,

    /// <summary>The sparse arm only, against today's masked-dense run that keeps every activation.</summary>
    Sparse,

    /// <summary>Both, so the two differ only in weight storage.</summary>
    Both,
}

/// <summary>One cell: the two arms' results.</summary>
public sealed record SparseBenchmarkCell(int Width, double Sparsity, SparseArmResult Dense, SparseArmResult Sparse)
{
    /// <summary>Sparse over dense training tokens per wall second.</summary>
    public double Speedup => Sparse.TokensPerSecond / Dense.TokensPerSecond;

    /// <summary>Sparse over dense training tokens per CPU second.</summary>
    public double CpuSpeedup => Sparse.TokensPerCpuSecond / Dense.TokensPerCpuSecond;

    /// <summary>Sparse over dense peak resident set.</summary>
    public double MemoryRatio => (double)Sparse.PeakRssBytes / Dense.PeakRssBytes;

    /// <summary>|sparse − dense| / dense of the last step's loss: the two arms train the same model.</summary>
    public double LossDifference => Math.Abs(Sparse.Losses[^1] - Dense.Losses[^1]) / Math.Abs(Dense.Losses[^1]);
}

/// <summary>
/// The sparse-storage benchmark: for each width and sparsity, the same seeded model trained for the same steps with its
/// masked layers stored dense (today's masked path) and stored as kept values (the sparse kernels), each arm in a process
/// of its own; tokens/s, peak resident set and checkpoint size side by side (docs/performance.md).
/// </summary>
public static class SparseBenchmarkRunner
{
    /// <summary>Runs every cell of <paramref name="settings"/> through <paramref name="launcher"/>.</summary>
    public static IReadOnlyList<SparseBenchmarkCell> Run(SparseBenchmarkSettings settings, IArmLauncher launcher, TextWriter log, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(launcher);
        var cells = new List<SparseBenchmarkCell>();
        int total = settings.Widths.Count * settings.Sparsities.Count, done = 0;
        foreach (int width in settings.Widths)
        {
            foreach (double sparsity in settings.Sparsities)
            {
                log.WriteLine($"[{++done}/{total}] width {width}, sparsity {sparsity:0.#####}: dense masked vs {settings.Storage.ToString().ToLowerInvariant()} storage, {settings.Repeats} run(s) each");
                SparseArm Arm(WeightStorage storage) => new(settings.Model, width, settings.Depth, sparsity, storage, settings.Batch, settings.Context,
                    settings.Steps, settings.Warmup, settings.Seed, settings.Threads, Checkpoint: true, Recompute: settings.Recomputes(storage));
                SparseArmResult? dense = null, sparse = null;
                for (int r = 0; r < settings.Repeats; r++)
                {
                    // Alternate which arm goes first, so neither always runs on a machine the other has just warmed.
                    foreach (var storage in r % 2 == 0 ? new[] { WeightStorage.Dense, settings.Storage } : [settings.Storage, WeightStorage.Dense])
                    {
                        var result = launcher.Launch(Arm(storage), log, cancellation);
                        if (storage == WeightStorage.Dense && settings.Storage != WeightStorage.Dense) dense = Faster(dense, result);
                        else sparse = Faster(sparse, result);
                    }
                }
                var cell = new SparseBenchmarkCell(width, sparsity, dense!, sparse!);
                if (cell.Sparse.SparseLayers == 0)
                    log.WriteLine($"  (the dispatch rule stores no layer sparse at width {width}, sparsity {sparsity:0.#####}: both arms ran the dense masked path)");
                log.WriteLine($"  → tokens/s {cell.Dense.TokensPerSecond:N0} dense, {cell.Sparse.TokensPerSecond:N0} sparse ({cell.Speedup:0.00}×; ideal {cell.Sparse.MatmulIdeal:0.00}×), " +
                              $"peak RSS {Gib(cell.Dense.PeakRssBytes)} vs {Gib(cell.Sparse.PeakRssBytes)} ({cell.MemoryRatio:0.00}×), checkpoint {Gib(cell.Dense.CheckpointBytes)} vs {Gib(cell.Sparse.CheckpointBytes)}");
                cells.Add(cell);
            }
        }
        return cells;
    }

    // The faster run of an arm; its peak memory and checkpoint are the same in every run.
    private static SparseArmResult Faster(SparseArmResult? best, SparseArmResult next) =>
        best is null || next.TokensPerSecond > best.TokensPerSecond ? next : best;

    /// <summary>Bytes in GiB with two decimals ("n/a" when unknown).</summary>
    public static string Gib(long bytes) => bytes < 0 ? "n/a" : $"{bytes / (double)(1L << 30):0.00} GiB";
}
