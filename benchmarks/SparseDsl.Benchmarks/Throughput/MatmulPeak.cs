using System.Diagnostics;
using static TorchSharp.torch;

namespace SparseDsl.Benchmarks.Throughput;

/// <summary>This machine's dense float32 matmul rate, measured in-process with the same TorchSharp and thread count as training.</summary>
public static class MatmulPeak
{
    /// <summary>The best GFLOP/s of square matmuls of a few sizes (2n³ FLOPs each), best of several repeats after a warm-up.</summary>
    public static (double GigaFlops, int Size) Measure(TextWriter log)
    {
        double best = 0;
        int bestSize = 0;
        foreach (int n in new[] { 1024, 2048 })
        {
            using var a = randn(n, n);
            using var b = randn(n, n);
            using (a.matmul(b)) { } // warm-up: allocator and thread pool
            for (int repeat = 0; repeat < 5; repeat++)
            {
                var watch = Stopwatch.StartNew();
                using (a.matmul(b)) { }
                double rate = 2.0 * n * n * n / watch.Elapsed.TotalSeconds / 1e9;
                if (rate > best) (best, bestSize) = (rate, n);
            }
            log.WriteLine($"  matmul {n}x{n}: best so far {best:0.0} GFLOP/s");
        }
        return (best, bestSize);
    }
}
