namespace SparseDsl.Tests;

/// <summary>Optimizer groups carry the SμPar learning rates, computed here independently from Table 1.</summary>
public class ParameterGroupTests
{
    [Fact]
    public void AdamW_groups_carry_the_table_1_learning_rates()
    {
        const int width = 256; // base 64 → m_d = 4
        const double eta = 0.02;
        using var model = new ProbeModel(width, options: new ModelOptions { LayerSparsity = new Dictionary<string, double> { ["hidden"] = 0.5, ["down"] = 0.875 } });
        var groups = ScaledOptimizers.ParameterGroups(model, new AdamWSettings { LearningRate = eta, WeightDecay = 0.1 });

        double LrOf(string name) => groups.Single(g => g.Parameters.Any(p => p.Name == name)).LearningRate;
        Assert.Equal(eta, LrOf("embed.weight"), 12);
        Assert.Equal(eta / (4 * 0.5), LrOf("hidden.weight"), 12);
        Assert.Equal(eta, LrOf("hidden.bias"), 12);
        Assert.Equal(eta / 4, LrOf("up.weight"), 12);
        Assert.Equal(eta / (4 * 0.125), LrOf("down.weight"), 12);
        Assert.Equal(eta, LrOf("readout.weight"), 12);

        // Every parameter of the module is in exactly one group.
        var grouped = groups.SelectMany(g => g.Parameters.Select(p => p.Name)).OrderBy(n => n).ToList();
        var all = model.named_parameters().Select(p => p.name).OrderBy(n => n).ToList();
        Assert.Equal(all, grouped);

        // Biases are not decayed; weights are.
        Assert.Equal(0.0, groups.Single(g => g.Parameters.Any(p => p.Name == "hidden.bias")).WeightDecay);
        Assert.Equal(0.1, groups.Single(g => g.Parameters.Any(p => p.Name == "down.weight")).WeightDecay);
    }

    [Fact]
    public void The_built_optimizer_has_those_groups()
    {
        using var model = new ProbeModel(128, options: new ModelOptions { Sparsity = 0.75 });
        using var optimizer = model.CreateAdamW(new AdamWSettings { LearningRate = 0.01 });
        var lrs = optimizer.ParamGroups.Select(g => g.LearningRate).OrderBy(x => x).ToArray();
        // m_d = 2: hidden sparse 0.01/(2·0.25), dense hidden 0.01/2, base 0.01 (embedding, readout, bias: decay differs).
        Assert.Equal(new[] { 0.005, 0.01, 0.01, 0.02 }, lrs.Select(x => Math.Round(x, 12)).ToArray());
    }

    [Fact]
    public void Width_independent_weight_decay_divides_by_the_lr_multiplier()
    {
        using var model = new ProbeModel(256, options: new ModelOptions { Sparsity = 0.5 });
        var groups = ScaledOptimizers.ParameterGroups(model, new AdamWSettings { LearningRate = 0.01, WeightDecay = 0.1, WidthIndependentWeightDecay = true });
        foreach (var g in groups.Where(g => g.WeightDecay > 0))
            Assert.Equal(0.01 * 0.1, g.LearningRate * g.WeightDecay, 12);
    }

    [Fact]
    public void Sparsity_override_for_an_unknown_layer_names_the_sparse_layers()
    {
        var e = Assert.Throws<ArgumentException>(() => new ProbeModel(64, options: new ModelOptions { LayerSparsity = new Dictionary<string, double> { ["nope"] = 0.5 } }));
        Assert.Contains("hidden, down", e.Message);
    }

    [Fact]
    public void Sparsity_override_for_a_dense_layer_is_an_error()
    {
        var e = Assert.Throws<ArgumentException>(() => new ProbeModel(64, options: new ModelOptions { LayerSparsity = new Dictionary<string, double> { ["up"] = 0.5 } }));
        Assert.Contains("which takes no sparsity", e.Message);
    }

    [Fact]
    public void Describe_lists_every_parameter_with_its_scaling()
    {
        using var model = new ProbeModel(128, options: new ModelOptions { Sparsity = 0.5 });
        var rows = model.Plan.DescribeParameters();
        Assert.Equal(model.named_parameters().Count(), rows.Count);
        var hidden = rows.Single(r => r.Name == "hidden.weight");
        Assert.Equal(ParameterRole.Hidden, hidden.Role);
        Assert.Equal(new long[] { 128, 128 }, hidden.Shape);
        Assert.Equal(0.5, hidden.Density);
        Assert.Equal(1.0, hidden.LearningRateMultiplier, 12); // 1/(2·0.5)
        Assert.Contains("hidden.weight", model.Describe());
    }
}
