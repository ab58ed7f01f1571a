using System.CommandLine;

namespace SparseDsl.Examples.Cli;

/// <summary>
/// The SAT options of <c>train</c> and <c>sat-benchmark</c>: on/off, first-rung omission rate and importance metric of
/// the MLP neurons, and of the attention heads.
/// </summary>
/// <param name="headRateDefault">What the head rate is when <c>--sat-head-rate</c> is not given, in words, for the help text.</param>
internal sealed class SatArguments(string headRateDefault = "as declared, 0 in the examples")
{
    public Option<bool> Enabled { get; } = new("--sat")
    {
        Description = "Train the [SparsityAccelerated] MLP with sparsity-accelerated training (--sat false: dense, heads included)",
        DefaultValueFactory = _ => true,
    };

    public Option<double?> Rate { get; } = CliOptions.Checked(
        new Option<double?>("--sat-rate") { Description = "SAT's first-rung omission rate of MLP neurons (default: as declared, 0.5)" },
        v => v is null or (>= 0 and < 1), "a number in [0, 1)");

    public Option<NeuronImportance?> Metric { get; } = new("--sat-metric")
    {
        Description = "SAT's neuron importance: Uniform, WeightMagnitude, Wanda or ActivationMagnitude (default: as declared, Wanda)",
    };

    public Option<double?> HeadRate { get; } = CliOptions.Checked(
        new Option<double?>("--sat-head-rate") { Description = $"Omit attention heads too: SAT's first-rung omission rate of heads, on the MLP's ladder (default: {headRateDefault})" },
        v => v is null or (>= 0 and < 1), "a number in [0, 1)");

    public Option<NeuronImportance?> HeadMetric { get; } = new("--sat-head-metric")
    {
        Description = "SAT's head importance, with --sat-head-rate (default: --sat-metric's, else Wanda)",
    };

    public IEnumerable<Option> All => [Enabled, Rate, Metric, HeadRate, HeadMetric];

    /// <summary><paramref name="config"/> with the given SAT options.</summary>
    /// <exception cref="ArgumentException">--sat-head-metric without --sat-head-rate.</exception>
    public RunConfig Bind(ParseResult result, RunConfig config)
    {
        if (result.GetValue(HeadMetric) is not null && result.GetValue(HeadRate) is null)
            throw new ArgumentException("--sat-head-metric chooses how heads are scored when they are omitted; give --sat-head-rate too.");
        return config with
        {
            Sat = result.GetValue(Enabled),
            SatRate = result.GetValue(Rate),
            SatMetric = result.GetValue(Metric),
            SatHeadRate = result.GetValue(HeadRate),
            SatHeadMetric = result.GetValue(HeadMetric),
        };
    }
}
