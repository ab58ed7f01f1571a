using SparseDsl.Tests.Checkpoints;
using static TorchSharp.torch;

namespace SparseDsl.Tests.Kinds;

/// <summary><c>[Parameter]</c>: μP's infshape rule for free tensors, their init, checkpoints and training.</summary>
[Collection(GlobalRngCollection.Name)]
public class ParameterTests
{
    [Theory]
    [InlineData(Parameterization.SuPar)]
    [InlineData(Parameterization.Standard)]
    public void Vector_like_tensors_keep_the_base_rules_and_a_matrix_like_one_gets_the_hidden_rules(Parameterization p)
    {
        const int width = 64; // m_d = 4
        using var model = new TinyVit(width, options: new ModelOptions { Parameterization = p });
        var rows = model.Plan.DescribeParameters().ToDictionary(r => r.Name);
        double sigma = BaseHyperparameters.Paper.InitStd, md = p == Parameterization.Standard ? 1 : 4;

        foreach (string name in new[] { "class_token.value", "positions.value" })
        {
            var row = rows[name];
            Assert.Equal(ParameterRole.Vector, row.Role);
            Assert.Equal(ParameterInit.Normal, row.Init);
            Assert.Equal(sigma, row.InitStd, 12);
            Assert.Equal(1.0, row.LearningRateMultiplier, 12);
            Assert.Equal(1.0, row.ForwardMultiplier, 12);
            Assert.False(row.WeightDecay);
        }
        Assert.Equal([1L, 1, width], rows["class_token.value"].Shape);
        Assert.Equal([17L, width], rows["positions.value"].Shape);

        var scale = rows["layer_scale.value"];
        Assert.Equal(ParameterRole.Vector, scale.Role);
        Assert.Equal(ParameterInit.Ones, scale.Init);
        Assert.Equal(0.0, scale.InitStd);

        var mixer = rows["mixer.value"];
        Assert.Equal(ParameterRole.Hidden, mixer.Role);
        Assert.Equal(width, mixer.FanIn);
        Assert.Equal(sigma / Math.Sqrt(md), mixer.InitStd, 12);
        Assert.Equal(1 / md, mixer.LearningRateMultiplier, 12);

        Assert.True(model.LayerScale.Value.detach().eq(1).all().item<bool>());
        var state = model.state_dict();
        foreach (var row in rows.Values) Assert.Equal(row.Shape, state[row.Name].shape);
    }

    [Fact]
    public void A_matrix_like_tensor_without_a_fan_in_or_with_three_scaling_dimensions_is_refused_with_the_rule()
    {
        var noFanIn = new LayerDeclaration("m", new ParameterAttribute { Shape = "width,2*width" });
        var e = Assert.Throws<ArgumentException>(() => ModelPlan.Create("M", [noFanIn], 16, 32));
        Assert.Contains("needs FanIn", e.Message);
        var cube = new LayerDeclaration("c", new ParameterAttribute { Shape = "width,width,width", FanIn = "width" });
        e = Assert.Throws<ArgumentException>(() => ModelPlan.Create("M", [cube], 16, 32));
        Assert.Contains("3 dimensions that scale with width", e.Message);
    }

    [Fact]
    public void A_tiny_vit_learns_and_its_free_tensors_train()
    {
        using var run = new KindRun(new TinyVit(32, TestDevice.Current, seed: 1), n => TinyConvNet.Batch(n), learningRate: 0.02);
        var token = ((TinyVit)run.Model).ClassToken.Value.detach().clone();
        float before = run.Evaluate();
        for (int step = 0; step < 60; step++) run.Step(step);
        float after = run.Evaluate();
        Assert.True(after < 0.8 * before, $"held-out loss went from {before} to {after}");
        Assert.False(token.allclose(((TinyVit)run.Model).ClassToken.Value.detach(), rtol: 0, atol: 0), "the class token never trained");
    }

    [Fact]
    public void A_checkpoint_round_trip_restores_free_tensors_and_their_Adam_state() =>
        KindRun.AssertCheckpointRoundTrip(r => TinyVit.FromRecipe(r, TestDevice.Current), new TinyVit(32, TestDevice.Current, seed: 5), n => TinyConvNet.Batch(n));
}
