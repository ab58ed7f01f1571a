using System.Diagnostics;

namespace SparseDsl;

/// <summary>How the kernel timings (<see cref="SparseKernelTiming"/>, <see cref="SparseConvTiming"/>) time one piece of work.</summary>
internal static class RepeatedTiming
{
    /// <summary>
    /// One untimed run (allocations and lazy initialisation), then <paramref name="work"/> repeated until it has run at
    /// least <paramref name="minimumMilliseconds"/>; returns the mean milliseconds per run.
    /// </summary>
    public static double MeanMilliseconds(double minimumMilliseconds, Action work)
    {
        work();
        int runs = 0;
        var clock = Stopwatch.StartNew();
        do
        {
            work();
            runs++;
        }
        while (clock.Elapsed.TotalMilliseconds < minimumMilliseconds);
        return clock.Elapsed.TotalMilliseconds / runs;
    }
}
