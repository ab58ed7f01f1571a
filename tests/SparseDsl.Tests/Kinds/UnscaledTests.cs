using static TorchSharp.torch;

namespace SparseDsl.Tests.Kinds;

/// <summary>
/// Nothing trains silently wrong: tensors outside the scaled plan are refused by name, unless their member is marked
/// [Unscaled], which trains them with SP rules and lists them in Describe.
/// </summary>
public class UnscaledTests
{
    private static (Tensor, Tensor) Batch(int n)
    {
        var ids = arange(10, ScalarType.Int64).roll(n);
        return (ids, ids.flip(0));
    }

    [Fact]
    public void A_raw_layer_is_refused_by_CreateAdamW_and_the_trainer_with_its_name_and_how_to_declare_it()
    {
        using var model = new WithRawLayer(16);
        var e = Assert.Throws<InvalidOperationException>(() => model.CreateAdamW());
        Assert.Contains("raw.weight, raw.bias", e.Message);
        Assert.Contains("[Unscaled]", e.Message);
        Assert.Contains("[Linear]", e.Message);
        Assert.Throws<InvalidOperationException>(() => ScaledOptimizers.AdamW(model));
        // The trainers build their groups here too, so they refuse the model before any step.
        Assert.Throws<InvalidOperationException>(() => ScaledOptimizers.ParameterGroups(model, new AdamWSettings()));
    }

    [Fact]
    public void An_unscaled_layer_trains_at_the_base_learning_rate_and_Describe_lists_it()
    {
        using var run = new KindRun(new WithUnscaledLayer(16, TestDevice.Current, seed: 1), Batch, learningRate: 0.01);
        var model = (WithUnscaledLayer)run.Model;
        var before = model.Raw.weight!.detach().clone();
        for (int step = 0; step < 3; step++) run.Step(step);
        Assert.False(before.allclose(model.Raw.weight!.detach(), rtol: 0, atol: 0), "the [Unscaled] layer did not train");

        var groups = ScaledOptimizers.ParameterGroups(model, new AdamWSettings { LearningRate = 0.01 });
        var raw = groups.Single(g => g.Parameters.Any(p => p.Name == "raw.weight"));
        Assert.Equal(0.01, raw.LearningRate, 12);

        string table = model.Describe();
        Assert.Contains("raw.weight", table);
        Assert.Contains("Unscaled", table);
        var row = model.Plan.DescribeParameters(ScaledModules.Unscaled(model)).Single(r => r.Name == "raw.bias");
        Assert.Equal(ParameterRole.Unscaled, row.Role);
        Assert.Equal(ParameterInit.AsBuilt, row.Init);
        Assert.False(row.WeightDecay); // a vector: SP practice decays matrices only
    }
}
