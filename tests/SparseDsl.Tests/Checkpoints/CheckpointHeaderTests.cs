using System.Text.Json;
using static TorchSharp.torch;

namespace SparseDsl.Tests.Checkpoints;

/// <summary>The header (recipe with every run-time option, step, run config, time) survives JSON and the file.</summary>
[Collection(GlobalRngCollection.Name)]
public class CheckpointHeaderTests
{
    // Every option away from its default, so a field the JSON drops cannot pass for a default.
    private static readonly CheckpointHeader Expected = new(
        new ModelRecipe("GptLmUntied", 96, Seed: 1234567890123, new ModelOptions
        {
            Parameterization = Parameterization.MuP,
            Hyperparameters = new BaseHyperparameters(0.0625, 3.1e-3, 2.5, 0.75),
            Sparsity = 0.875,
            LayerSparsity = new Dictionary<string, double> { ["mlp.down"] = 0.75, ["blocks.2.attention.query"] = 0.5 },
            Depth = 3,
            DepthRule = DepthRule.DepthMuP,
        })
        {
            BaseDepths = new Dictionary<string, int> { ["blocks"] = 2 },
        },
        Step: 4321,
        RunConfig: """{"steps":5000,"lr":0.0162,"corpus":"sotu"}""",
        SavedAtUtc: new DateTimeOffset(2026, 11, 24, 8, 37, 4, 123, TimeSpan.FromHours(2)));

    private static void AssertSameHeader(CheckpointHeader expected, CheckpointHeader actual)
    {
        Assert.Equal(expected.Step, actual.Step);
        Assert.Equal(expected.RunConfig, actual.RunConfig);
        Assert.Equal(expected.SavedAtUtc, actual.SavedAtUtc);
        Assert.Equal(expected.SavedAtUtc.Offset, actual.SavedAtUtc.Offset);
        Assert.Equal(expected.Recipe.ModelType, actual.Recipe.ModelType);
        Assert.Equal(expected.Recipe.Width, actual.Recipe.Width);
        Assert.Equal(expected.Recipe.Seed, actual.Recipe.Seed);
        var (e, a) = (expected.Recipe.Options, actual.Recipe.Options);
        Assert.Equal(e.Parameterization, a.Parameterization);
        Assert.Equal(e.Hyperparameters, a.Hyperparameters); // a positional record of doubles: value equality
        Assert.Equal(e.Sparsity, a.Sparsity);
        Assert.Equal(e.Depth, a.Depth);
        Assert.Equal(e.DepthRule, a.DepthRule);
        Assert.Equal(expected.Recipe.BaseDepths!.OrderBy(kv => kv.Key), actual.Recipe.BaseDepths!.OrderBy(kv => kv.Key));
        Assert.NotNull(a.LayerSparsity);
        Assert.Equal(e.LayerSparsity!.OrderBy(kv => kv.Key), a.LayerSparsity.OrderBy(kv => kv.Key));
    }

    [Fact]
    public void The_JSON_context_round_trips_a_header_with_every_option_set()
    {
        string json = JsonSerializer.Serialize(Expected, SparseDslJsonContext.Default.CheckpointHeader);
        var actual = JsonSerializer.Deserialize(json, SparseDslJsonContext.Default.CheckpointHeader);

        Assert.NotNull(actual);
        AssertSameHeader(Expected, actual);
        Assert.Contains("\"parameterization\":\"MuP\"", json); // enums by name, names snake_case
        Assert.Contains("\"mlp.down\":0.75", json);             // dictionary keys as given, not snake_cased
        Assert.Contains("\"depth_rule\":\"DepthMuP\"", json);
    }

    [Fact]
    public void A_header_written_before_depth_rules_reads_as_no_depth_rule()
    {
        string json = JsonSerializer.Serialize(Expected, SparseDslJsonContext.Default.CheckpointHeader)
            .Replace(",\"depth_rule\":\"DepthMuP\"", "").Replace(",\"base_depths\":{\"blocks\":2}", "");
        Assert.DoesNotContain("depth", json.Replace("\"depth\":3", ""));
        var old = JsonSerializer.Deserialize(json, SparseDslJsonContext.Default.CheckpointHeader)!;
        Assert.Equal(DepthRule.None, old.Recipe.Options.DepthRule);
        Assert.Null(old.Recipe.BaseDepths);
    }

    [Fact]
    public void ReadHeader_returns_what_Save_wrote()
    {
        using var folder = new TempFolder();
        string path = folder.File("header.ckpt");
        using var model = nn.Linear(4, 3);
        Checkpoint.Save(path, Expected, model, optimizer: null);

        AssertSameHeader(Expected, Checkpoint.ReadHeader(path));
        AssertSameHeader(Expected, Checkpoint.Load(path, model, optimizer: null));
    }

    [Theory]
    [InlineData("""{"step":1,"run_config":"{}","saved_at_utc":"2026-11-24T08:37:04+00:00"}""")]
    [InlineData("""{"recipe":null,"step":1,"run_config":"{}","saved_at_utc":"2026-11-24T08:37:04+00:00"}""")]
    public void A_header_without_a_recipe_is_refused_rather_than_read_as_null(string json)
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(json, SparseDslJsonContext.Default.CheckpointHeader));
    }
}
