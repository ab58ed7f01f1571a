using System.Diagnostics;

namespace SparseDsl.Benchmarks.Paired;

/// <summary>A candidate's time over a baseline's: the median of per-round ratios, with the 10th–90th percentile range.</summary>
/// <param name="Name">What was compared.</param>
/// <param name="BaselineMs">The baseline's median milliseconds.</param>
/// <param name="CandidateMs">The candidate's median milliseconds.</param>
/// <param name="Ratio">Median of candidate/baseline over the rounds.</param>
/// <param name="Low">10th percentile of the ratios.</param>
/// <param name="High">90th percentile of the ratios.</param>
/// <param name="Rounds">Timed rounds.</param>
public sealed record PairedResult(string Name, double BaselineMs, double CandidateMs, double Ratio, double Low, double High, int Rounds);

/// <summary>
/// Side-by-side timing that survives a noisy machine: each round times the baseline and the candidate back to back
/// (alternating which goes first), and the result is the median of the per-round ratios. Slow drifts in the machine's
/// speed (other tenants, frequency) hit both halves of a round alike, where two separate series of runs would not.
/// </summary>
public static class PairedTiming
{
    /// <summary>Warms both up, then times <paramref name="rounds"/> rounds.</summary>
    public static PairedResult Compare(string name, Action baseline, Action candidate, int rounds, int warmup = 3)
    {
        for (int i = 0; i < warmup; i++)
        {
            baseline();
            candidate();
        }
        var ratios = new double[rounds];
        var baseTimes = new double[rounds];
        var candidateTimes = new double[rounds];
        for (int round = 0; round < rounds; round++)
        {
            if (round % 2 == 0)
            {
                baseTimes[round] = Time(baseline);
                candidateTimes[round] = Time(candidate);
            }
            else
            {
                candidateTimes[round] = Time(candidate);
                baseTimes[round] = Time(baseline);
            }
            ratios[round] = candidateTimes[round] / baseTimes[round];
        }
        return new PairedResult(name, Percentile(baseTimes, 0.5), Percentile(candidateTimes, 0.5),
            Percentile(ratios, 0.5), Percentile(ratios, 0.1), Percentile(ratios, 0.9), rounds);
    }

    private static double Time(Action action)
    {
        var watch = Stopwatch.StartNew();
        action();
        return watch.Elapsed.TotalMilliseconds;
    }

    /// <summary>The <paramref name="p"/>-quantile of <paramref name="values"/>, interpolated between neighbours.</summary>
    public static double Percentile(IReadOnlyCollection<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        double position = p * (sorted.Length - 1);
        int low = (int)Math.Floor(position);
        int high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
    }
}
