using System.Diagnostics;
using static TorchSharp.torch;

namespace SparseDsl.Examples.SatBenchmark;

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
    /// </summary>
    /// <param name="block">The SAT block: an MLP or an attention block.</param>
    /// <param name="rates">Omission rates to time besides 0.</param>
    /// <param name="batch">Sequences per pass.</param>
    /// <param name="context">Tokens per sequence.</param>
    /// <param name="repeats">Passes timed per rate, after one untimed warm-up.</param>
    public static IReadOnlyList<(double Rate, double OmittedFraction, double Milliseconds)> Measure(nn.Module<Tensor, Tensor> block, IEnumerable<double> rates, long batch, long context, int repeats = 10)
    {
        ArgumentNullException.ThrowIfNull(block);
        var omission = (block as ISparsityAcceleratedBlock)?.Omission ?? throw new ArgumentException($"{block.GetType().Name} is not a [SparsityAccelerated] block.", nameof(block));
        var saved = omission.Settings;
        var first = omission.Projections.First().Layer;
        using var input = randn([batch, context, first.Plan.InFeatures], device: first.Weight.device, generator: new Generator(11, CPU).manual_seed(11));
        bool wasTraining = block.training;
        block.train();
        var results = new List<(double, double, double)>();
        try
        {
            foreach (double rate in rates.Prepend(0).Distinct())
            {
                omission.Settings = new SparsityAcceleration(new LadderSchedule(rate, 1, 1, 0), saved.Metric, saved.Selection);
                omission.BeginStep(1, 1);
                Pass(block, input); // warm-up, and the selection
                var watch = Stopwatch.StartNew();
                for (int i = 0; i < repeats; i++) Pass(block, input);
                results.Add((rate, 1 - (double)omission.KeptCount / omission.Units, watch.Elapsed.TotalMilliseconds / repeats));
            }
        }
        finally
        {
            omission.Settings = saved;
            block.train(wasTraining);
            block.zero_grad();
        }
        return results;
    }

    private static void Pass(nn.Module<Tensor, Tensor> block, Tensor input)
    {
        using var scope = NewDisposeScope();
        block.call(input).sum().backward();
    }
}
