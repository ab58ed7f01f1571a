using SparseDsl.Tests.Checkpoints;
using static TorchSharp.torch;

namespace SparseDsl.Tests.Kinds;

/// <summary><c>[Conv]</c>: its Table-1 scaling, its forward pass against conv written out, masks, checkpoints and training.</summary>
[Collection(GlobalRngCollection.Name)]
public class ConvTests
{
    private static readonly BaseHyperparameters Paper = BaseHyperparameters.Paper;

    [Theory]
    [InlineData(Parameterization.SuPar)]
    [InlineData(Parameterization.MuP)]
    [InlineData(Parameterization.Standard)]
    public void Describe_gives_the_Table_1_scaling_of_an_input_like_and_a_sparse_hidden_convolution(Parameterization p)
    {
        const int width = 64; // m_d = 4
        using var model = new TinyConvNet(width, options: new ModelOptions { Parameterization = p });
        var rows = model.Plan.DescribeParameters().ToDictionary(r => r.Name);
        double md = 4, rho = 0.5, sigma = Paper.InitStd;
        double effective = p switch { Parameterization.SuPar => md * rho, Parameterization.MuP => md, _ => 1 };

        var stem = rows["stem.weight"];
        Assert.Equal(ParameterRole.Embedding, stem.Role);
        Assert.Equal([width, 1L, 3, 3], stem.Shape);
        Assert.Equal(9, stem.FanIn); // 1 channel × 3×3
        Assert.Equal(sigma, stem.InitStd, 12);
        Assert.Equal(1.0, stem.LearningRateMultiplier, 12);
        Assert.Equal(p == Parameterization.Standard ? 1.0 : Paper.InputAlpha, stem.ForwardMultiplier, 12);
        Assert.Equal(ParameterRole.Bias, rows["stem.bias"].Role);

        var hidden = rows["hidden.weight"];
        Assert.Equal(ParameterRole.Hidden, hidden.Role);
        Assert.Equal([width, (long)width, 3, 3], hidden.Shape);
        Assert.Equal(width * 9, hidden.FanIn);
        Assert.Equal(rho, hidden.Density, 12);
        Assert.Equal(sigma / Math.Sqrt(effective), hidden.InitStd, 12);
        Assert.Equal(1 / effective, hidden.LearningRateMultiplier, 12);
        Assert.Equal(1.0, hidden.ForwardMultiplier, 12);

        var stateShapes = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.shape);
        foreach (var row in rows.Values) Assert.Equal(row.Shape, stateShapes[row.Name]);
        Assert.Contains("hidden.mask", stateShapes.Keys);
    }

    [Fact]
    public void The_hidden_weight_is_drawn_with_its_SuPar_std_and_an_exact_mask()
    {
        using var model = new TinyConvNet(128, seed: 3);
        var weight = model.Hidden.Weight.detach();
        var mask = model.Hidden.Mask!;
        long kept = mask.sum().item<float>() is var k ? (long)k : 0;
        Assert.Equal((long)Math.Round(0.5 * mask.numel()), kept);
        Assert.Equal(0f, weight.mul(mask.neg().add(1)).abs().sum().item<float>());
        // 73,728 kept draws: the sample std is within 2% of σ/√(m_d·m_ρ) with overwhelming probability.
        double expected = BaseHyperparameters.Paper.InitStd / Math.Sqrt(8 * 0.5);
        double std = weight.masked_select(mask.to(ScalarType.Bool)).std().item<float>();
        Assert.InRange(std / expected, 0.98, 1.02);
    }

    [Fact]
    public void The_forward_pass_is_the_masked_convolution_times_its_multiplier_plus_bias()
    {
        using var model = new TinyConvNet(32, TestDevice.Current, seed: 2);
        var images = TinyConvNet.Batch(0, size: 4).Images.to(TestDevice.Current);
        using var _ = no_grad();
        var stem = model.Stem;
        var expected = nn.functional.conv2d(images, stem.Weight, null, [1, 1], [1, 1]).mul(stem.ForwardMultiplier).add(stem.Bias!.view(1, -1, 1, 1));
        Assert.True(stem.call(images).allclose(expected, rtol: 1e-5, atol: 1e-6));
        var h = expected.relu();
        var hidden = nn.functional.conv2d(h, model.Hidden.Weight.mul(model.Hidden.Mask!), null, [1, 1], [1, 1]);
        Assert.True(model.Hidden.call(h).allclose(hidden, rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void A_ConvNet_learns_to_tell_stroke_directions_and_masked_weights_stay_zero()
    {
        using var run = new KindRun(new TinyConvNet(32, TestDevice.Current, seed: 1), n => TinyConvNet.Batch(n), learningRate: 0.02);
        float before = run.Evaluate();
        for (int step = 0; step < 60; step++) run.Step(step);
        float after = run.Evaluate();
        // Chance is ln 4 ≈ 1.39; a ConvNet that sees the strokes is far below it.
        Assert.True(after < 0.6 * before, $"held-out loss went from {before} to {after}");
        var model = (TinyConvNet)run.Model;
        Assert.Equal(0f, model.Hidden.Weight.detach().mul(model.Hidden.Mask!.neg().add(1)).abs().sum().item<float>());
    }

    [Fact]
    public void A_checkpoint_restores_weights_masks_and_Adam_state_so_the_next_step_is_identical() =>
        KindRun.AssertCheckpointRoundTrip(r => TinyConvNet.FromRecipe(r, TestDevice.Current), new TinyConvNet(32, TestDevice.Current, seed: 5), n => TinyConvNet.Batch(n), drawnBuffer: "hidden.mask");
}
