namespace SparseDsl.Experiments.SatBenchmark;

/// <summary>The machine's load average, for the conditions a timing was taken in.</summary>
public static class LoadAverage
{
    /// <summary>/proc/loadavg's 1, 5 and 15 minute figures, or "unknown" where there is none.</summary>
    public static string Read()
    {
        try
        {
            return File.Exists("/proc/loadavg") ? string.Join(", ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}
