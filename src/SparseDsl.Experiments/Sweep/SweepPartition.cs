using SparseDsl.Experiments.Gpt;

namespace SparseDsl.Experiments.Sweep;

/// <summary>
/// Splits a sweep's grid into parts of about equal cost, the same way on every machine, so that each task of a cluster
/// array can compute its own part from the grid alone. A run's cost is its training FLOPs per token as the library counts
/// them (<see cref="ModelCost.TrainingFlopsPerToken"/>); every run of a sweep trains the same number of tokens, so this
/// ranks runs as their total FLOPs do.
/// </summary>
public static class SweepPartition
{
    /// <summary>
    /// The part (1 … <paramref name="count"/>) of every run of <paramref name="settings"/>, keyed by <see cref="SweepRun.Key"/>.
    /// Longest first onto the least-loaded part: runs by falling cost (grid order among equals), each to the part with the
    /// least cost so far (the lowest-numbered among equals). Costs are whole numbers of FLOPs, exact in a double, so
    /// every machine computes the same split.
    /// </summary>
    public static IReadOnlyDictionary<string, int> Assign(SweepSettings settings, int count)
    {
        var runs = settings.Runs();
        return Assign(runs, Costs(settings, runs), count);
    }

    /// <summary>
    /// The part (1 … <paramref name="count"/>) of each of <paramref name="runs"/> (in grid order) of cost
    /// <paramref name="costs"/>, keyed by <see cref="SweepRun.Key"/>: the split of every sharded sweep, LM or vision.
    /// </summary>
    public static IReadOnlyDictionary<string, int> Assign(IReadOnlyList<SweepRun> runs, IReadOnlyList<double> costs, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (costs.Count != runs.Count) throw new ArgumentException("One cost per run.", nameof(costs));
        var load = new double[count];
        var parts = new Dictionary<string, int>(runs.Count);
        foreach (int i in Enumerable.Range(0, runs.Count).OrderByDescending(i => costs[i]).ThenBy(i => i))
        {
            int lightest = 0;
            for (int p = 1; p < count; p++)
            {
                if (load[p] < load[lightest]) lightest = p;
            }
            load[lightest] += costs[i];
            parts[runs[i].Key] = lightest + 1;
        }
        return parts;
    }

    /// <summary>The runs of <paramref name="shard"/>, in grid order (cheapest widths first, as an unsharded sweep runs them).</summary>
    public static IReadOnlyList<SweepRun> Runs(SweepSettings settings, SweepShard shard)
    {
        var parts = Assign(settings, shard.Count);
        return settings.Runs().Where(r => parts[r.Key] == shard.Index).ToList();
    }

    /// <summary>Training FLOPs per token of each run of <paramref name="runs"/>, in order.</summary>
    public static double[] Costs(SweepSettings settings, IReadOnlyList<SweepRun> runs)
    {
        // Only the model's shape sets the cost: the LR and the seed do not, so each shape is planned once (depth is part
        // of the shape; the depth rule only changes multipliers, but keying on it keeps the cache obviously right).
        var byShape = new Dictionary<(Parameterization, double, int, int, DepthRule), double>();
        var model = LanguageModels.Named(settings.Model);
        return runs.Select(run =>
        {
            var shape = (run.Parameterization, run.Sparsity, run.Width, run.Depth, run.DepthRule);
            if (!byShape.TryGetValue(shape, out double cost))
            {
                var config = settings.Config(run);
                cost = ModelCost.TrainingFlopsPerToken(model.Plan(config.Width, config.ModelOptions), config.Context);
                byShape[shape] = cost;
            }
            return cost;
        }).ToArray();
    }
}
