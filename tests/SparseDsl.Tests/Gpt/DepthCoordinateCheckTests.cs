using SparseDsl.Experiments;
using SparseDsl.Experiments.CoordinateCheck;
using static TorchSharp.torch;

namespace SparseDsl.Tests.Gpt;

/// <summary>
/// A small, seeded coordinate check across depth (docs/depth.md §4.1) on the example GPT: the residual stream after the
/// last block at depth 2 (the base) and 8, under no depth rule, depth-μP and CompleteP. Without a rule the L branches add
/// up and the stream grows with depth (√L at init, faster once updates line up); depth-μP's m_L^(−½) keeps it flat at
/// init and CompleteP's 1/m_L makes it fall as L^(−½) there; after updates neither rule lets it grow with depth. Remove
/// the depth factor m_L^(−α) from <see cref="ScalingRules.ResidualMultiplier"/> and both rules grow like no rule: this
/// fails.
/// </summary>
[Trait("Category", "Slow")]
public class DepthCoordinateCheckTests
{
    private static readonly DepthCoordinateCheckSettings Settings = new()
    {
        Width = 64,
        Depths = [2, 8],
        Densities = [1],
        Steps = 8,
        Seeds = 2,
        Batch = 8,
        Context = 64,
        // 2⁻⁹: at the paper's 2⁻⁶ the stream grows ~100× in a few steps at this width, which swamps the depth signal.
        Hyperparameters = BaseHyperparameters.Paper with { LearningRate = Math.Pow(2, -9) },
    };

    private static readonly Lazy<IReadOnlyList<DepthCoordinateCheckSummary.Line>> Lines = new(() =>
        DepthCoordinateCheckSummary.Lines(CoordinateCheckRunner.RunDepth(Settings, BundledCorpus.Open(), CPU)));

    private static DepthCoordinateCheckSummary.Line Stream(DepthRule rule) =>
        Lines.Value.Single(l => l.DepthRule == rule.Token() && l.Block == LanguageModelFamily.Stream);

    // Slopes of log₂ |stream| on log₂ L. Measured here (2 seeds): none +0.51 at init, +0.65 after updates; depth-μP +0.02,
    // −0.19; CompleteP −0.46, −0.38. The bounds sit between the regimes, ±0.2 or more from every measured value.
    [Fact]
    public void Without_a_depth_rule_the_stream_grows_with_depth()
    {
        Assert.True(Stream(DepthRule.None).InitSlope > 0.3, $"none at init: {Stream(DepthRule.None).InitSlope:0.00}");
        Assert.True(Stream(DepthRule.None).TrainedSlope > 0.3, $"none after updates: {Stream(DepthRule.None).TrainedSlope:0.00}");
    }

    [Fact]
    public void Depth_mup_keeps_the_stream_flat_at_init_and_does_not_let_it_grow()
    {
        var line = Stream(DepthRule.DepthMuP);
        Assert.True(Math.Abs(line.InitSlope) < 0.2, $"depth-μP at init: {line.InitSlope:0.00}");
        Assert.True(line.TrainedSlope < 0.1, $"depth-μP after updates: {line.TrainedSlope:0.00}");
    }

    [Fact]
    public void Completep_shrinks_the_stream_at_init_and_does_not_let_it_grow()
    {
        var line = Stream(DepthRule.CompleteP);
        Assert.True(line.InitSlope < -0.3, $"CompleteP at init: {line.InitSlope:0.00}");
        Assert.True(line.TrainedSlope < 0.1, $"CompleteP after updates: {line.TrainedSlope:0.00}");
    }
}
