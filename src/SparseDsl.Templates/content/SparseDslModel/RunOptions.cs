namespace SparseDslModel;

/// <summary>The program's command line: every value is checked before anything runs.</summary>
sealed record RunOptions(int Steps, int Width, string? DataPath, string Device)
{
    public const string Usage = "usage: dotnet run -- [--steps N] [--width W] [--data FILE] [--device cpu|cuda|cuda:N] (default: $SPARSEDSL_DEVICE, else cpu)";

    public static RunOptions Parse(string[] args)
    {
        // The device default is SparseDsl's one device setting, SPARSEDSL_DEVICE (unset: cpu); --device overrides it.
        string device = DeviceName(SparseDsl.DeviceSelector.EnvironmentVariable, SparseDsl.DeviceSelector.DefaultName());
        var options = new RunOptions(Steps: 300, Width: 128, DataPath: null, Device: device);
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            string value = i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value");
            options = name switch
            {
                "--steps" => options with { Steps = Positive(name, value) },
                "--width" => options with { Width = Positive(name, value) },
                "--data" => options with { DataPath = File.Exists(value) ? value : throw new ArgumentException($"--data: file '{value}' not found") },
                "--device" => options with { Device = DeviceName(name, value) },
                _ => throw new ArgumentException($"unknown option '{name}'"),
            };
        }
        return options;
    }

    static string DeviceName(string name, string value) =>
        value.Trim().ToLowerInvariant() is var v && (v is "cpu" or "cuda" || (v.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(v.AsSpan(5), out int index) && index >= 0))
            ? v
            : throw new ArgumentException($"{name} must be cpu, cuda or cuda:N, not '{value}'");

    static int Positive(string name, string value) =>
        int.TryParse(value, out int n) && n > 0 ? n : throw new ArgumentException($"{name} must be a positive integer, not '{value}'");
}
