namespace SparseDsl.Experiments.SatBenchmark;

/// <summary>The machine a timing ran on, in words: CPU model, cores, torch threads.</summary>
public static class Machine
{
    /// <summary>For example <c>AMD EPYC (family 25, model 17; 2 cores, 2 torch threads; OMP_WAIT_POLICY=PASSIVE)</c>.</summary>
    public static string Describe()
    {
        string cpu = "unknown CPU";
        var details = new List<string>();
        try
        {
            // Linux names the model in /proc/cpuinfo; family and model identify the generation where a VM hides the
            // model number. Elsewhere the core count alone is reported.
            if (File.Exists("/proc/cpuinfo"))
            {
                var fields = File.ReadLines("/proc/cpuinfo").TakeWhile(l => l.Length > 0) // the first processor's block
                    .Select(l => l.Split(':', 2)).Where(p => p.Length == 2)
                    .GroupBy(p => p[0].Trim()).ToDictionary(g => g.Key, g => g.First()[1].Trim());
                cpu = fields.GetValueOrDefault("model name", cpu);
                if (fields.TryGetValue("cpu family", out var family) && fields.TryGetValue("model", out var model))
                    details.Add($"family {family}, model {model}");
            }
        }
        catch (IOException)
        {
        }
        details.Add($"{Environment.ProcessorCount} cores, {TorchSharp.torch.get_num_threads()} torch threads");
        details.Add(OpenMpWaitPolicy.Describe());
        return $"{cpu} ({string.Join("; ", details)})";
    }
}
