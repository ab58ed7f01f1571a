using System.Diagnostics;
using SparseDsl.Examples.Gpt;
using static TorchSharp.torch;

namespace SparseDsl.Examples.SatBenchmark;

/// <summary>
/// Where SAT's time goes: the forward and backward pass of one SwiGLU MLP alone, dense and at each omission rate,
/// on a batch of the run's shape. The MLP's own speed-up against the ideal <c>1/(1 − rate)</c> shows what gathering
/// costs; the whole step's speed-up against the MLP's shows what the rest of the model (attention, norms, loss,
/// optimizer) costs.
/// </summary>
public static class MlpTiming
{
    /// <summary>Milliseconds per forward+backward of <paramref name="mlp"/> at each rate (0 first), averaged over <paramref name="repeats"/>.</summary>
    public static IReadOnlyList<(double Rate, double Milliseconds)> Measure(SwiGluMlp mlp, IEnumerable<double> rates, long batch, long context, int repeats = 20)
    {
        var omission = mlp.Omission;
        var saved = omission.Settings;
        var device = mlp.Gate.Weight.device;
        using var input = randn([batch, context, mlp.Gate.Plan.InFeatures], device: device, generator: new Generator(11, CPU).manual_seed(11));
        bool wasTraining = mlp.training;
        mlp.train();
        var results = new List<(double, double)>();
        try
        {
            foreach (double rate in rates.Prepend(0).Distinct())
            {
                omission.Settings = new SparsityAcceleration(new LadderSchedule(rate, 1, 1, 0), saved.Metric, saved.Selection);
                omission.BeginStep(1, 1);
                Pass(mlp, input); // warm-up, and the selection
                var watch = Stopwatch.StartNew();
                for (int i = 0; i < repeats; i++) Pass(mlp, input);
                results.Add((rate, watch.Elapsed.TotalMilliseconds / repeats));
            }
        }
        finally
        {
            omission.Settings = saved;
            mlp.train(wasTraining);
            mlp.zero_grad();
        }
        return results;
    }

    private static void Pass(SwiGluMlp mlp, Tensor input)
    {
        using var scope = NewDisposeScope();
        mlp.call(input).sum().backward();
    }
}
