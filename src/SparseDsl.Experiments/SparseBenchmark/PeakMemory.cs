namespace SparseDsl.Experiments.SparseBenchmark;

/// <summary>The process's peak resident set, as Linux reports it.</summary>
public static class PeakMemory
{
    /// <summary>VmHWM of /proc/self/status in bytes (the most resident memory this process has had), or -1 where there is none.</summary>
    public static long ResidentBytes() => Read("VmHWM:");

    /// <summary>VmRSS of /proc/self/status in bytes (resident now), or -1 where there is none.</summary>
    public static long CurrentBytes() => Read("VmRSS:");

    private static long Read(string field)
    {
        try
        {
            if (!File.Exists("/proc/self/status")) return -1;
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal));
            if (line is null) return -1;
            var parts = line[field.Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture) * 1024; // reported in kB
        }
        catch (IOException)
        {
            return -1;
        }
    }
}
