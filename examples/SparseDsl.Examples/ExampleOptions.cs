using System.Globalization;

namespace SparseDsl.Examples;

/// <summary>Command-line options of the example's <c>train</c> and <c>describe</c> commands. Unknown or malformed options are errors, never ignored.</summary>
public sealed record ExampleOptions
{
    /// <summary>Training steps.</summary>
    public int Steps { get; init; } = 600;

    /// <summary>Model width (the base is 256).</summary>
    public int Width { get; init; } = 128;

    /// <summary>Number of transformer blocks.</summary>
    public int Depth { get; init; } = 2;

    /// <summary>Sequence length in bytes.</summary>
    public int Context { get; init; } = 64;

    /// <summary>Overrides every sparse layer's sparsity.</summary>
    public double? Sparsity { get; init; }

    /// <summary>Sequences per step.</summary>
    public int Batch { get; init; } = 16;

    /// <summary>η_base.</summary>
    public double LearningRate { get; init; } = BaseHyperparameters.Paper.LearningRate;

    /// <summary>σ_base.</summary>
    public double InitStd { get; init; } = BaseHyperparameters.Paper.InitStd;

    /// <summary>α_input.</summary>
    public double InputAlpha { get; init; } = BaseHyperparameters.Paper.InputAlpha;

    /// <summary>α_output.</summary>
    public double OutputAlpha { get; init; } = BaseHyperparameters.Paper.OutputAlpha;

    /// <summary>Untied readout instead of the paper's tied one.</summary>
    public bool Untied { get; init; }

    /// <summary>cpu, cuda or cuda:N.</summary>
    public string Device { get; init; } = "cpu";

    /// <summary>Training text instead of the bundled corpus.</summary>
    public string? Data { get; init; }

    /// <summary>Seed for weights, masks and batches.</summary>
    public long Seed { get; init; } = 1;

    /// <summary>SP, μP or SμPar.</summary>
    public Parameterization Parameterization { get; init; } = Parameterization.SuPar;

    /// <summary>Print the loss every this many steps.</summary>
    public int LogEvery { get; init; } = 50;

    /// <summary>Describe as JSON (the describe command).</summary>
    public bool Json { get; init; }

    /// <summary>Print usage.</summary>
    public bool Help { get; init; }

    /// <summary>The base hyperparameters these options give.</summary>
    public BaseHyperparameters Hyperparameters => new(InitStd, LearningRate, InputAlpha, OutputAlpha);

    /// <summary>The model options these options give.</summary>
    public ModelOptions ModelOptions => new()
    {
        Parameterization = Parameterization,
        Hyperparameters = Hyperparameters,
        Sparsity = Sparsity,
        Depth = Depth,
    };

    /// <summary>Usage text.</summary>
    public const string Usage = """
        SparseDsl example: a GPT-style byte-level LM (ALiBi attention, SwiGLU MLPs, every projection sparse),
        trained on the bundled State of the Union corpus on CPU.

        Commands:
          train         train the LM, report validation loss and print a sample (the default command)
          describe      print the per-parameter scaling table (role, shape, fan-in, density, init, LR and forward multipliers)
          coord-check   reproduce the paper's coordinate check (Fig. 5): see 'coord-check --help'

        Options (train, describe):
          --steps N              training steps (default 600)
          --width N              model width; the base width is 256 (default 128)
          --depth N              transformer blocks (default 2)
          --context N            sequence length in bytes (default 64)
          --sparsity S           every sparse layer's sparsity, in [0, 1) (default: as declared, 0.875)
          --batch N              sequences per step (default 16)
          --lr X                 base learning rate η_base (default 0.0162, the paper's)
          --init-std X           σ_base (default 0.0866560)
          --input-alpha X        α_input (default 9.1705)
          --output-alpha X       α_output (default 1.0951835)
          --untied               untied, zero-initialised readout instead of the paper's tied one
          --parameterization P   sp | mup | supar (default supar)
          --device D             cpu | cuda | cuda:N (default cpu)
          --data FILE            train on FILE (text or .gz) instead of the bundled corpus
          --seed N               seed for weights, masks and batches (default 1)
          --log-every N          print the loss every N steps (default 50)
          --json                 describe: print JSON instead of a table
          --help                 this text
        """;

    /// <summary>Parses <paramref name="args"/>; throws <see cref="ArgumentException"/> with a one-line message on bad input.</summary>
    public static ExampleOptions Parse(IEnumerable<string> args)
    {
        var o = new ExampleOptions();
        using var e = args.GetEnumerator();
        while (e.MoveNext())
        {
            string name = e.Current;
            switch (name)
            {
                case "--help" or "-h": o = o with { Help = true }; continue;
                case "--untied": o = o with { Untied = true }; continue;
                case "--json": o = o with { Json = true }; continue;
            }
            string value = OptionParsing.Value(name, e);
            o = name switch
            {
                "--steps" => o with { Steps = OptionParsing.Positive(name, value) },
                "--width" => o with { Width = OptionParsing.Positive(name, value) },
                "--depth" => o with { Depth = OptionParsing.Positive(name, value) },
                "--context" => o with { Context = OptionParsing.Positive(name, value) },
                "--sparsity" => o with { Sparsity = OptionParsing.Fraction(name, value) },
                "--batch" => o with { Batch = OptionParsing.Positive(name, value) },
                "--lr" => o with { LearningRate = OptionParsing.PositiveReal(name, value) },
                "--init-std" => o with { InitStd = OptionParsing.PositiveReal(name, value) },
                "--input-alpha" => o with { InputAlpha = OptionParsing.PositiveReal(name, value) },
                "--output-alpha" => o with { OutputAlpha = OptionParsing.PositiveReal(name, value) },
                "--device" => o with { Device = value },
                "--data" => o with { Data = value },
                "--seed" => o with { Seed = OptionParsing.Integer(name, value) },
                "--parameterization" => o with { Parameterization = OptionParsing.Parameterization(value) },
                "--log-every" => o with { LogEvery = OptionParsing.Positive(name, value) },
                _ => throw new ArgumentException($"Unknown option '{name}'. See --help."),
            };
        }
        return o;
    }
}

/// <summary>Value parsers shared by the commands: each throws a one-line <see cref="ArgumentException"/>.</summary>
public static class OptionParsing
{
    /// <summary>The value after option <paramref name="name"/>.</summary>
    public static string Value(string name, IEnumerator<string> e)
    {
        if (!name.StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"Unexpected argument '{name}'. See --help.");
        if (!e.MoveNext()) throw new ArgumentException($"Option {name} needs a value. See --help.");
        return e.Current;
    }

    /// <summary>A positive integer.</summary>
    public static int Positive(string name, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n > 0
            ? n : throw new ArgumentException($"{name} expects a positive integer, got '{value}'.");

    /// <summary>Any 64-bit integer.</summary>
    public static long Integer(string name, string value) =>
        long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out long n)
            ? n : throw new ArgumentException($"{name} expects an integer, got '{value}'.");

    /// <summary>A positive finite number.</summary>
    public static double PositiveReal(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) && x > 0 && double.IsFinite(x)
            ? x : throw new ArgumentException($"{name} expects a positive number, got '{value}'.");

    /// <summary>A number in [0, 1).</summary>
    public static double Fraction(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) && x >= 0 && x < 1
            ? x : throw new ArgumentException($"{name} expects a number in [0, 1), got '{value}'.");

    /// <summary>A comma-separated list parsed by <paramref name="parse"/>.</summary>
    public static T[] List<T>(string name, string value, Func<string, string, T> parse) =>
        value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) is { Length: > 0 } parts
            ? parts.Select(p => parse(name, p)).ToArray()
            : throw new ArgumentException($"{name} expects a comma-separated list, got '{value}'.");

    /// <summary>sp, mup or supar.</summary>
    public static Parameterization Parameterization(string value) => value.ToLowerInvariant() switch
    {
        "sp" => SparseDsl.Parameterization.Standard,
        "mup" => SparseDsl.Parameterization.MuP,
        "supar" => SparseDsl.Parameterization.SuPar,
        _ => throw new ArgumentException($"--parameterization expects sp, mup or supar, got '{value}'."),
    };
}
