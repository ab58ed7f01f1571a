using System.CommandLine;
using System.CommandLine.Parsing;

namespace SparseDsl.Examples.Cli;

/// <summary>Option factories with range checks, so every command rejects bad values the same way, at parse time.</summary>
internal static class CliOptions
{
    public static Option<int> Positive(string name, string description, int defaultValue) =>
        Checked(new Option<int>(name) { Description = description, DefaultValueFactory = _ => defaultValue }, v => v > 0, "a positive integer");

    public static Option<long> PositiveLong(string name, string description, long defaultValue) =>
        Checked(new Option<long>(name) { Description = description, DefaultValueFactory = _ => defaultValue }, v => v > 0, "a positive integer");

    public static Option<long> NonNegativeLong(string name, string description, long defaultValue) =>
        Checked(new Option<long>(name) { Description = description, DefaultValueFactory = _ => defaultValue }, v => v >= 0, "0 or a positive integer");

    public static Option<double> PositiveReal(string name, string description, double defaultValue) =>
        Checked(new Option<double>(name) { Description = description, DefaultValueFactory = _ => defaultValue }, v => v > 0 && double.IsFinite(v), "a positive number");

    public static Option<double> Fraction(string name, string description, double defaultValue, bool includeOne = false) =>
        Checked(new Option<double>(name) { Description = description, DefaultValueFactory = _ => defaultValue },
            v => v >= 0 && (includeOne ? v <= 1 : v < 1), includeOne ? "a number in [0, 1]" : "a number in [0, 1)");

    /// <summary>
    /// <c>--device</c>: cpu, cuda or cuda:N. Its default is the device that <c>SPARSEDSL_DEVICE</c> names (CPU when unset),
    /// so one variable moves every command, in a script or a container, to the GPU.
    /// </summary>
    public static Option<string> Device() => new("--device")
    {
        Description = $"cpu, cuda or cuda:N (default: ${DeviceSelector.EnvironmentVariable}, or cpu when it is unset)",
        DefaultValueFactory = _ => DeviceSelector.DefaultName(),
    };

    /// <summary>
    /// How the command line spells a parameterization: its ASCII token in lower case (sp, mup, supar). Parsing goes
    /// through <see cref="ParameterizationNames.TryParse"/>, which ignores case and also takes the display names.
    /// </summary>
    public static string ParameterizationArgument(Parameterization parameterization) => parameterization.Token().ToLowerInvariant();

    /// <summary>Every parameterization's argument for help and error texts: "sp, mup {conjunction} supar".</summary>
    public static string ParameterizationChoices(string conjunction)
    {
        var names = ParameterizationNames.All.Select(ParameterizationArgument).ToList();
        return $"{string.Join(", ", names[..^1])} {conjunction} {names[^1]}";
    }

    /// <summary>How the command line spells a depth rule: its token (none, depth-mup, completep).</summary>
    public static string DepthRuleChoices(string conjunction)
    {
        var names = DepthRuleNames.All.Select(r => r.Token()).ToList();
        return $"{string.Join(", ", names[..^1])} {conjunction} {names[^1]}";
    }

    /// <summary><c>--storage auto|dense|sparse</c>: how masked weights are stored and multiplied (docs/sparse-kernels.md).</summary>
    public static Option<WeightStorage> StorageOption() => new("--storage")
    {
        Description = "How sparse layers store and multiply their weights: auto (per layer, by the measured crossover in docs/sparse-kernels.md), dense (weight × mask) or sparse (kept values and sparse kernels; CPU)",
        HelpName = "auto|dense|sparse",
        DefaultValueFactory = _ => WeightStorage.Auto,
        CustomParser = result =>
        {
            string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (Enum.TryParse<WeightStorage>(text, ignoreCase: true, out var storage) && !int.TryParse(text, out _)) return storage;
            result.AddError($"--storage expects auto, dense or sparse, got '{text}'.");
            return default;
        },
    };

    /// <summary><c>--depth-rule none|depth-mup|completep</c> (default none), parsed by <see cref="DepthRuleNames.TryParse"/>.</summary>
    public static Option<DepthRule> DepthRuleOption() => new("--depth-rule")
    {
        Description = $"How hyperparameters transfer across depth (docs/depth.md): {DepthRuleChoices("or")}",
        HelpName = string.Join("|", DepthRuleNames.All.Select(r => r.Token())),
        DefaultValueFactory = _ => DepthRule.None,
        CustomParser = result =>
        {
            string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (DepthRuleNames.TryParse(text, out var rule)) return rule;
            result.AddError($"--depth-rule expects {DepthRuleChoices("or")}, got '{text}'.");
            return default;
        },
    };

    /// <summary>Adds a validator that reports "--name expects {what}, got 'value'." for values failing <paramref name="valid"/>.</summary>
    public static Option<T> Checked<T>(Option<T> option, Func<T, bool> valid, string what)
    {
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count == 0) return; // the default, which is valid by construction
            T value;
            try
            {
                value = result.GetValueOrDefault<T>();
            }
            catch (InvalidOperationException)
            {
                result.AddError($"{option.Name} expects {what}, got '{string.Join(" ", result.Tokens.Select(t => t.Value))}'.");
                return;
            }
            if (!valid(value)) result.AddError($"{option.Name} expects {what}, got '{string.Join(" ", result.Tokens.Select(t => t.Value))}'.");
        });
        return option;
    }

    /// <summary>Whether the user typed <paramref name="option"/> (rather than it taking its default).</summary>
    public static bool Given(this ParseResult result, Option option) => result.GetResult(option) is { Implicit: false };
}
