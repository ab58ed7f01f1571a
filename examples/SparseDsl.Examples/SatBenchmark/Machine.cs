namespace SparseDsl.Examples.SatBenchmark;

/// <summary>The machine a timing ran on, in words: CPU model, cores, torch threads.</summary>
public static class Machine
{
    /// <summary>For example <c>Intel(R) Xeon(R) … (2 cores, 2 torch threads)</c>.</summary>
    public static string Describe()
    {
        string cpu = "unknown CPU";
        try
        {
            // Linux names the model in /proc/cpuinfo; elsewhere the core count alone is reported.
            if (File.Exists("/proc/cpuinfo"))
                cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? cpu;
        }
        catch (IOException)
        {
        }
        return $"{cpu} ({Environment.ProcessorCount} cores, {TorchSharp.torch.get_num_threads()} torch threads)";
    }
}
