using System.Globalization;
using System.Text;
using SparseDsl.Examples.Cli;

namespace SparseDsl.Examples.SatBenchmark;

/// <summary>Wall time of the steps trained at one SAT omission rate, in both arms.</summary>
public sealed class RungTiming(double rate)
{
    /// <summary>The SAT arm's omission rate in these steps.</summary>
    public double Rate { get; } = rate;

    /// <summary>Steps at this rate.</summary>
    public int Steps { get; private set; }

    /// <summary>The dense arm's time over the same steps.</summary>
    public TimeSpan Dense { get; private set; }

    /// <summary>The SAT arm's time over these steps.</summary>
    public TimeSpan Sat { get; private set; }

    /// <summary>Adds one step of each arm.</summary>
    public void Add(TimeSpan dense, TimeSpan sat)
    {
        Steps++;
        Dense += dense;
        Sat += sat;
    }
}

/// <summary>What the dense-vs-SAT benchmark measured.</summary>
/// <param name="Config">The run (model, batches, steps).</param>
/// <param name="Sat">The SAT arm's settings.</param>
/// <param name="Tokens">Tokens each arm trained on.</param>
/// <param name="DenseTime">The dense arm's training time.</param>
/// <param name="SatTime">The SAT arm's training time.</param>
/// <param name="DenseValidation">The dense arm's final validation loss.</param>
/// <param name="SatValidation">The SAT arm's final validation loss (full MLP).</param>
/// <param name="MlpShare">The MLP's share of the model's matmul work per token, the part SAT can shrink.</param>
/// <param name="Rungs">Time per omission rate, highest rate first.</param>
/// <param name="Mlp">One MLP's forward+backward milliseconds at each rate, rate 0 (dense) first.</param>
public sealed record SatBenchmarkResult(
    RunConfig Config, SparsityAcceleration Sat, long Tokens, TimeSpan DenseTime, TimeSpan SatTime,
    double DenseValidation, double SatValidation, double MlpShare, IReadOnlyList<RungTiming> Rungs,
    IReadOnlyList<(double Rate, double Milliseconds)> Mlp)
{
    /// <summary>SAT's tokens/s over dense's.</summary>
    public double Speedup => DenseTime / SatTime;

    /// <summary>SAT's validation loss relative to dense's: +0.01 is 1% worse.</summary>
    public double RelativeLossChange => SatValidation / DenseValidation - 1;

    /// <summary>The speed-up if time were matmul work only: <c>1 / (1 − share · rate)</c>, averaged over the steps.</summary>
    public double IdealSpeedup => Rungs.Sum(r => (double)r.Steps) / Rungs.Sum(r => r.Steps * (1 - MlpShare * r.Rate));

    /// <summary>The result as Markdown: the headline table and the per-rate breakdown.</summary>
    public string ToMarkdown()
    {
        var c = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine(c, $"{Sat}. Width {Config.Width}, depth {Config.Depth}, sparsity {Config.Sparsity?.ToString(c) ?? "as declared"}, " +
                         $"{Config.Steps} steps of {Config.Batch}x{Config.Context} bytes, seed {Config.Seed}. " +
                         $"Measured {DateTime.UtcNow:yyyy-MM-dd} on {Machine.Describe()}.");
        md.AppendLine();
        md.AppendLine(c, $"| arm | tokens | time (s) | tokens/s | validation loss (nats/byte) |");
        md.AppendLine("| --- | --- | --- | --- | --- |");
        md.AppendLine(c, $"| dense | {Tokens:N0} | {DenseTime.TotalSeconds:0.0} | {Tokens / DenseTime.TotalSeconds:N0} | {DenseValidation:0.0000} |");
        md.AppendLine(c, $"| SAT | {Tokens:N0} | {SatTime.TotalSeconds:0.0} | {Tokens / SatTime.TotalSeconds:N0} | {SatValidation:0.0000} |");
        md.AppendLine();
        md.AppendLine(c, $"**Throughput ratio SAT/dense: {Speedup:0.00}x** (matmul-only ideal {IdealSpeedup:0.00}x; the MLP is {MlpShare:P0} of the matmul work). " +
                         $"**Validation loss: {RelativeLossChange:+0.00%;-0.00%} vs dense.**");
        md.AppendLine();
        md.AppendLine("Where the time goes, per omission rate: the whole training step (both arms, same steps) against its matmul-only ideal, " +
                      "and one MLP's forward+backward alone against the ideal `1/(1 − rate)`.");
        md.AppendLine();
        md.AppendLine("| SAT omission rate | steps | dense ms/step | SAT ms/step | step speed-up | ideal | MLP ms (fwd+bwd) | MLP speed-up | ideal |");
        md.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        double denseMlp = Mlp.First(m => m.Rate == 0).Milliseconds;
        foreach (var r in Rungs)
        {
            double mlp = Mlp.FirstOrDefault(m => m.Rate == r.Rate).Milliseconds;
            md.AppendLine(c, $"| {r.Rate:0.###} | {r.Steps} | {r.Dense.TotalMilliseconds / r.Steps:0.0} | {r.Sat.TotalMilliseconds / r.Steps:0.0} | {r.Dense / r.Sat:0.00}x | {1 / (1 - MlpShare * r.Rate):0.00}x " +
                             $"| {mlp:0.0} | {denseMlp / mlp:0.00}x | {1 / (1 - r.Rate):0.00}x |");
        }
        return md.ToString();
    }
}
