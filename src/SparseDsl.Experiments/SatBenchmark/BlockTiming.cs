using static TorchSharp.torch;

namespace SparseDsl.Experiments.SatBenchmark;

/// <summary>One block's forward+backward time at one omission rate.</summary>
/// <param name="Rate">The omission rate.</param>
/// <param name="OmittedFraction">The fraction of the block's units that rate omits (rates round to whole units).</param>
/// <param name="Time">Mean wall and CPU time per pass.</param>
public sealed record BlockTime(double Rate, double OmittedFraction, ClockReading Time);

/// <summary>
/// Where SAT's time goes: the forward and backward pass of one SAT block alone (a SwiGLU MLP, or an attention over its
/// heads), dense and at each omission rate, on a batch of the run's shape. The block's own speed-up against the ideal
/// <c>1/(1 − omitted fraction)</c> shows what gathering costs; the whole step's speed-up against the blocks' shows what
/// the rest of the model (norms, loss, optimizer, the dense layers) costs.
/// </summary>
public static class BlockTiming
{
    /// <summary>
    /// Milliseconds per forward+backward of <paramref name="block"/> at each rate (0 first), averaged over
    /// <paramref name="repeats"/>, with the fraction of its units each rate actually omits (rates round to whole units).
    /// The rates take turns, one pass each per round, so a machine shared with other work slows them alike; each timed
    /// pass selects its units first, as the first forward of a training step does.
    /// </summary>
    /// <param name="block">The SAT block: an MLP or an attention block.</param>
    /// <param name="rates">Omission rates to time besides 0.</param>
    /// <param name="batch">Sequences per pass.</param>
    /// <param name="context">Tokens per sequence.</param>
    /// <param name="repeats">Rounds timed, after one untimed warm-up round.</param>
    public static IReadOnlyList<BlockTime> Measure(nn.Module<Tensor, Tensor> block, IEnumerable<double> rates, long batch, long context, int repeats = 10)
    {
        ArgumentNullException.ThrowIfNull(block);
        var omission = (block as ISparsityAcceleratedBlock)?.Omission ?? throw new ArgumentException($"{block.GetType().Name} is not a [SparsityAccelerated] block.", nameof(block));
        var saved = omission.Settings;
        var first = omission.Projections.First().Layer;
        using var input = randn([batch, context, first.Plan.InFeatures], device: first.Bias?.device ?? (first.Values ?? first.Weight).device, generator: new Generator(11, CPU).manual_seed(11));
        var all = rates.Prepend(0).Distinct().ToList();
        var settings = all.Select(rate => new SparsityAcceleration(new LadderSchedule(rate, 1, 1, 0), saved.Metric, saved.Selection)).ToList();
        var elapsed = new ClockReading[all.Count];
        var omitted = new double[all.Count];
        bool wasTraining = block.training;
        block.train();
        try
        {
            for (int round = 0; round <= repeats; round++)
            {
                for (int i = 0; i < all.Count; i++)
                {
                    omission.Settings = settings[i]; // drops the last selection: the pass selects again
                    omission.BeginStep(1, 1);
                    omitted[i] = 1 - (double)omission.KeptCount / omission.Units;
                    var start = ClockReading.Now();
                    Pass(block, input);
                    if (round > 0) elapsed[i] += ClockReading.Now() - start; // round 0 warms up
                }
            }
        }
        finally
        {
            omission.Settings = saved;
            block.train(wasTraining);
            block.zero_grad();
        }
        return [.. all.Select((rate, i) => new BlockTime(rate, omitted[i], new ClockReading(elapsed[i].Wall / repeats, elapsed[i].Cpu / repeats)))];
    }

    private static void Pass(nn.Module<Tensor, Tensor> block, Tensor input)
    {
        using var scope = NewDisposeScope();
        block.call(input).sum().backward();
    }
}
