using System.Globalization;

namespace SparseDsl.Examples;

/// <summary>Command-line options of the example trainer. Unknown or malformed options are errors, never ignored.</summary>
public sealed record ExampleOptions
{
    public int Steps { get; init; } = 1000;
    public int Width { get; init; } = 256;
    public double? Sparsity { get; init; }
    public int Batch { get; init; } = 128;
    public double LearningRate { get; init; } = BaseHyperparameters.Paper.LearningRate;
    public string Device { get; init; } = "cpu";
    public string? Data { get; init; }
    public long Seed { get; init; } = 1;
    public Parameterization Parameterization { get; init; } = Parameterization.SuPar;
    public int LogEvery { get; init; } = 25;
    public bool Help { get; init; }

    public const string Usage = """
        Trains a sparse byte-level n-gram LM (SparseDsl.Examples.NgramLm) under SμPar on CPU.

        Options:
          --steps N              training steps (default 1000)
          --width N              model width; the base width is 256 (default 256)
          --sparsity S           override every sparse layer's sparsity, in [0, 1) (default: as declared, 0.875)
          --batch N              sequences per step (default 128)
          --lr X                 base learning rate η_base (default 0.0162, the paper's)
          --parameterization P   sp | mup | supar (default supar)
          --device D             cpu | cuda | cuda:N (default cpu)
          --data FILE            train on FILE (text or .gz) instead of the bundled corpus
          --seed N               seed for weights, masks and batches (default 1)
          --log-every N          print the loss every N steps (default 25)
          --help                 this text
        """;

    /// <summary>Parses <paramref name="args"/>; throws <see cref="ArgumentException"/> with a one-line message on bad input.</summary>
    public static ExampleOptions Parse(string[] args)
    {
        var o = new ExampleOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            if (name is "--help" or "-h") { o = o with { Help = true }; continue; }
            if (!name.StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"Unexpected argument '{name}'. See --help.");
            if (i + 1 >= args.Length) throw new ArgumentException($"Option {name} needs a value. See --help.");
            string value = args[++i];
            o = name switch
            {
                "--steps" => o with { Steps = Positive(name, value) },
                "--width" => o with { Width = Positive(name, value) },
                "--sparsity" => o with { Sparsity = Fraction(name, value) },
                "--batch" => o with { Batch = Positive(name, value) },
                "--lr" => o with { LearningRate = PositiveReal(name, value) },
                "--device" => o with { Device = value },
                "--data" => o with { Data = value },
                "--seed" => o with { Seed = long.TryParse(value, CultureInfo.InvariantCulture, out long s) ? s : throw new ArgumentException($"{name} expects an integer, got '{value}'.") },
                "--parameterization" => o with { Parameterization = ParseParameterization(value) },
                "--log-every" => o with { LogEvery = Positive(name, value) },
                _ => throw new ArgumentException($"Unknown option '{name}'. See --help."),
            };
        }
        return o;
    }

    private static int Positive(string name, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n > 0
            ? n : throw new ArgumentException($"{name} expects a positive integer, got '{value}'.");

    private static double PositiveReal(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) && x > 0 && double.IsFinite(x)
            ? x : throw new ArgumentException($"{name} expects a positive number, got '{value}'.");

    private static double Fraction(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) && x >= 0 && x < 1
            ? x : throw new ArgumentException($"{name} expects a number in [0, 1), got '{value}'.");

    private static Parameterization ParseParameterization(string value) => value.ToLowerInvariant() switch
    {
        "sp" => Parameterization.Standard,
        "mup" => Parameterization.MuP,
        "supar" => Parameterization.SuPar,
        _ => throw new ArgumentException($"--parameterization expects sp, mup or supar, got '{value}'."),
    };
}
