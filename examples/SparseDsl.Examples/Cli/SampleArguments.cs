using System.CommandLine;

namespace SparseDsl.Examples.Cli;

/// <summary>The sampling options shared by <c>train</c> (a sample after training) and <c>sample</c>.</summary>
internal sealed class SampleArguments
{
    private static readonly SamplingSettings Defaults = new();

    public Option<string> Prompt { get; } = new("--prompt") { Description = "Text the sample continues", DefaultValueFactory = _ => "The Congress " };
    public Option<int> Length { get; } = CliOptions.Checked(
        new Option<int>("--sample-length") { Description = "Tokens to sample, bytes unless the model reads a BPE tokenizer's (0: no sample)", DefaultValueFactory = _ => 200 }, v => v >= 0, "0 or a positive integer");
    public Option<double> Temperature { get; } = CliOptions.PositiveReal("--temperature", "Sampling temperature", Defaults.Temperature);
    public Option<int> TopK { get; } = CliOptions.Checked(
        new Option<int>("--top-k") { Description = "Sample among the K most likely tokens (0: all)", DefaultValueFactory = _ => Defaults.TopK ?? 0 }, v => v >= 0, "0 or a positive integer");
    public Option<long> Seed { get; } = new("--sample-seed") { Description = "Seed of the sampler", DefaultValueFactory = _ => Defaults.Seed };

    public IEnumerable<Option> All => [Prompt, Length, Temperature, TopK, Seed];

    public SampleRequest Bind(ParseResult result)
    {
        string prompt = result.GetRequiredValue(Prompt);
        if (prompt.Length == 0) throw new ArgumentException("--prompt must not be empty.");
        return new SampleRequest(prompt, result.GetValue(Length), new SamplingSettings
        {
            Temperature = result.GetValue(Temperature),
            TopK = result.GetValue(TopK) is var k && k > 0 ? k : null,
            Seed = result.GetValue(Seed),
        });
    }
}
