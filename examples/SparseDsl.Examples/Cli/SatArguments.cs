using System.CommandLine;

namespace SparseDsl.Examples.Cli;

/// <summary>The SAT options of <c>train</c> and <c>sat-benchmark</c>: on/off, first-rung omission rate, importance metric.</summary>
internal sealed class SatArguments
{
    public Option<bool> Enabled { get; } = new("--sat")
    {
        Description = "Train the [SparsityAccelerated] MLP with sparsity-accelerated training (--sat false: dense)",
        DefaultValueFactory = _ => true,
    };

    public Option<double?> Rate { get; } = CliOptions.Checked(
        new Option<double?>("--sat-rate") { Description = "SAT's first-rung omission rate (default: as declared, 0.5)" },
        v => v is null or (>= 0 and < 1), "a number in [0, 1)");

    public Option<NeuronImportance?> Metric { get; } = new("--sat-metric")
    {
        Description = "SAT's neuron importance: Uniform, WeightMagnitude, Wanda or ActivationMagnitude (default: as declared, Wanda)",
    };

    public IEnumerable<Option> All => [Enabled, Rate, Metric];

    /// <summary><paramref name="config"/> with the given SAT options.</summary>
    public RunConfig Bind(ParseResult result, RunConfig config) => config with
    {
        Sat = result.GetValue(Enabled),
        SatRate = result.GetValue(Rate),
        SatMetric = result.GetValue(Metric),
    };
}
