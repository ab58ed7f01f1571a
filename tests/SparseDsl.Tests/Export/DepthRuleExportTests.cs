using System.Text.Json;
using SparseDsl.Experiments.Training;
using SparseDsl.Experiments.Gpt;
using SparseDsl.Export;
using SparseDsl.Tests.Checkpoints;
using static TorchSharp.torch;

namespace SparseDsl.Tests.Export;

/// <summary>
/// Exports of models built under a depth rule: the metadata records the rule and each stack's residual multiplier,
/// an unfolded export round-trips bit for bit, and folding (which has no weight to put m_L^(−α) in) is refused rather
/// than writing a file whose plain-transformer logits would be wrong.
/// </summary>
public sealed class DepthRuleExportTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    // Depth 4 over the GPT's base depth 2: m_L = 2, so CompleteP's branch multiplier m_L^(−1) is 1/2, not 1.
    private static GptLm Deep(DepthRule rule, long seed = 1) =>
        new(64, TestDevice.Current, seed: seed, options: new ModelOptions { DepthRule = rule, Depth = 4 });

    [Fact]
    public void The_metadata_records_the_depth_rule_and_the_residual_multiplier_and_the_export_round_trips()
    {
        using var model = Deep(DepthRule.CompleteP);
        string path = _folder.File("deep.safetensors");
        var metadata = WeightExport.Write(model, path);
        Assert.Equal("completep", metadata[ExportMetadata.DepthRule]);
        using var stacks = JsonDocument.Parse(metadata[ExportMetadata.ResidualStacks]);
        var blocks = stacks.RootElement.GetProperty("blocks");
        Assert.Equal(4, blocks.GetProperty("depth").GetInt32());
        Assert.Equal(2, blocks.GetProperty("base_depth").GetInt32());
        double multiplier = blocks.GetProperty("residual_multiplier").GetDouble();
        Assert.Equal(model.Plan.ResidualMultiplier("blocks.0."), multiplier);
        Assert.NotEqual(1.0, multiplier);

        var file = WeightImport.Open(path);
        var recipe = WeightImport.Recipe(file);
        Assert.Equal(DepthRule.CompleteP, recipe.Options.DepthRule);
        using var other = new GptLm(recipe.Width, TestDevice.Current, seed: 99, options: recipe.Options);
        using var tokens = ExportModels.Tokens(256);
        using var expected = ExportModels.Logits(model, tokens);
        WeightImport.Load(file, other);
        using var after = ExportModels.Logits(other, tokens);
        Assert.True(TestDevice.Same(expected, after), "the imported model's logits differ from the exported model's");
    }

    [Fact]
    public void Without_a_depth_rule_the_residual_multiplier_is_one()
    {
        using var model = Deep(DepthRule.None);
        var metadata = WeightExport.Write(model, _folder.File("plain.safetensors"));
        Assert.Equal("none", metadata[ExportMetadata.DepthRule]);
        using var stacks = JsonDocument.Parse(metadata[ExportMetadata.ResidualStacks]);
        Assert.Equal(1.0, stacks.RootElement.GetProperty("blocks").GetProperty("residual_multiplier").GetDouble());
    }

    [Theory]
    [InlineData(DepthRule.DepthMuP)]
    [InlineData(DepthRule.CompleteP)]
    public void Folding_a_depth_rule_is_refused_and_writes_nothing(DepthRule rule)
    {
        using var model = Deep(rule);
        string path = _folder.File("folded.safetensors");
        var e = Assert.Throws<NotSupportedException>(() => WeightExport.Write(model, path, new ExportOptions { Fold = true }));
        Assert.Contains($"depth rule {rule.Token()}", e.Message);
        Assert.Contains("Export unfolded", e.Message);
        Assert.False(File.Exists(path));
    }
}
