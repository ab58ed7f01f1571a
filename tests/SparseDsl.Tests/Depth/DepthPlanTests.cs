using SparseDsl.Tests.Checkpoints;
using SparseDsl.Tests.Kinds;
using SparseDsl.Tests.SmallModels;
using static TorchSharp.torch;

namespace SparseDsl.Tests.Depth;

/// <summary>
/// Depth rules in a built model: which tensors are in a residual branch, the stacks' m_L and branch multipliers, the
/// AdamW groups (LR, ε, decay) and <see cref="Residual.Add"/>, with expected values worked out by hand for
/// <see cref="TinyByteLm"/> (base width 16, declared depth 2 = its base depth, every projection 87.5% sparse).
/// </summary>
[Collection(GlobalRngCollection.Name)]
public class DepthPlanTests
{
    // Width 32: m_d = 2; density 1/8: a hidden weight's width×density LR is 1/(2·1/8) = 4. Depth 8: m_L = 8/2 = 4.
    private const int Width = 32, Depth = 8;

    private static TinyByteLm Build(DepthRule rule, int depth = Depth, int width = Width, long seed = 1) =>
        new(width, CPU, seed, new ModelOptions { DepthRule = rule, Depth = depth });

    [Theory]
    [InlineData(DepthRule.None, 1.0)]
    [InlineData(DepthRule.DepthMuP, 0.5)]
    [InlineData(DepthRule.CompleteP, 0.25)]
    public void The_stack_knows_its_depth_multiplier_and_every_block_in_it_its_branch_multiplier(DepthRule rule, double multiplier)
    {
        using var model = Build(rule);
        var stack = Assert.Single(model.Plan.Stacks);
        Assert.Equal(("blocks", 8, 2, 4.0, multiplier), (stack.Name, stack.Depth, stack.BaseDepth, stack.DepthMultiplier, stack.ResidualMultiplier));
        Assert.Equal(multiplier, model.Plan.ResidualMultiplier("blocks.7."));
        Assert.Equal(multiplier, model.Plan.ResidualMultiplier("blocks.3.attention."));
        Assert.Equal(1.0, model.Plan.ResidualMultiplier(""));
        Assert.Equal(1.0, model.Plan.ResidualMultiplier("blocks_extra.1."));
    }

    [Fact]
    public void Tensors_inside_the_repeated_blocks_are_in_branch_and_the_ends_are_not()
    {
        using var model = Build(DepthRule.CompleteP);
        foreach (var layer in model.Plan.Layers)
            foreach (var p in layer.Parameters)
                Assert.Equal(layer.Name.StartsWith("blocks.", StringComparison.Ordinal), p.InBranch);
        Assert.False(model.Plan["final_norm"].Parameter("weight").InBranch);
    }

    [Fact]
    public void Depth_mup_optimizer_groups_carry_the_hand_computed_learning_rates_epsilons_and_decays()
    {
        using var model = Build(DepthRule.DepthMuP);
        const double eta = 0.01, eps = 1e-8, lambda = 0.1;
        var groups = ScaledOptimizers.ParameterGroups(model, new AdamWSettings { LearningRate = eta, Epsilon = eps, WeightDecay = lambda });
        ParameterGroup Of(string name) => groups.Single(g => g.Parameters.Any(p => p.Name == name));

        // Hidden in a branch: η·4·m_L^(−½) = η·2; ε·m_d⁻¹·m_L^(−½) = ε/4; λ·m_d·m_ρ = λ/4.
        AssertGroup(Of("blocks.5.attention.query.weight"), eta * 2, eps / 4, lambda / 4);
        // Norm gain in a branch: η·m_L^(−½) = η/2, ε/4, no decay.
        AssertGroup(Of("blocks.0.mlp_norm.weight"), eta / 2, eps / 4, 0.0);
        // Final norm and embedding, out of any branch: η, ε·m_d⁻¹ = ε/2; decay λ on the embedding.
        AssertGroup(Of("final_norm.weight"), eta, eps / 2, 0.0);
        AssertGroup(Of("embed.weight"), eta, eps / 2, lambda);

        using var optimizer = ScaledOptimizers.AdamW(groups, new AdamWSettings { LearningRate = eta, Epsilon = eps, WeightDecay = lambda });
        var built = optimizer.ParamGroups.Cast<TorchSharp.Modules.ParamGroup>().Select(g => ((TorchSharp.Modules.AdamW.Options)g.Options).eps!.Value).Distinct().Order().ToArray();
        Assert.Equal(new[] { eps / 4, eps / 2 }, built); // ε × exact powers of two
    }

    [Fact]
    public void Completep_splits_groups_on_epsilon_alone()
    {
        using var model = Build(DepthRule.CompleteP);
        var groups = ScaledOptimizers.ParameterGroups(model, new AdamWSettings { LearningRate = 0.01, Epsilon = 1e-8 });
        var inBranch = groups.Single(g => g.Parameters.Any(p => p.Name == "blocks.0.attention_norm.weight"));
        var final = groups.Single(g => g.Parameters.Any(p => p.Name == "final_norm.weight"));
        Assert.Equal(inBranch.LearningRate, final.LearningRate); // α = 1: no depth factor on the LR
        Assert.Equal(1e-8 / 8, inBranch.Epsilon, 1e-22);            // ε·m_d⁻¹·m_L⁻¹
        Assert.Equal(1e-8 / 2, final.Epsilon, 1e-22);               // ε·m_d⁻¹
        Assert.NotSame(inBranch, final);
    }

    [Fact]
    public void Without_a_depth_rule_every_group_keeps_the_base_epsilon_and_decay()
    {
        using var model = Build(DepthRule.None);
        var groups = ScaledOptimizers.ParameterGroups(model, new AdamWSettings { LearningRate = 0.01, Epsilon = 1e-8, WeightDecay = 0.1 });
        Assert.All(groups, g => Assert.Equal(1e-8, g.Epsilon));
        Assert.All(groups.Where(g => g.WeightDecay > 0), g => Assert.Equal(0.1, g.WeightDecay));
        Assert.Equal(0.04, groups.Single(g => g.Parameters.Any(p => p.Name == "blocks.1.attention.key.weight")).LearningRate, 12);
    }

    [Theory]
    [InlineData(DepthRule.None, 1.0)]
    [InlineData(DepthRule.CompleteP, 0.25)]
    public void A_block_adds_each_branch_times_the_multiplier(DepthRule rule, double m)
    {
        using var model = Build(rule);
        var block = model.Blocks[3];
        using var x = randn([2, 5, Width], generator: new TorchSharp.torch.Generator(7));
        using var _ = no_grad();
        using var actual = block.call(x);
        using var attention = block.Attention.call(block.AttentionNorm.call(x));
        using var h = x + attention * m;
        using var mlp = block.Mlp.call(block.MlpNorm.call(h));
        using var expected = h + mlp * m;
        // float32: the fused add-with-alpha and the separate multiply differ by rounding only.
        Assert.True(expected.allclose(actual, rtol: 1e-5, atol: 1e-6), $"max |diff| {(expected - actual).abs().max().item<float>()}");
        if (rule == DepthRule.None)
            Assert.True(expected.eq(actual).all().item<bool>(), "without a depth rule the helper is exactly x + branch");
    }

    [Fact]
    public void At_the_base_shape_every_rule_trains_the_same_model_bit_for_bit()
    {
        // Width 16 = base width, depth 2 = base depth and dense: m_d = m_ρ = m_L = 1, so every factor of every rule is 1.
        var losses = DepthRuleNames.All.Select(rule =>
        {
            using var model = new TinyByteLm(16, CPU, 3, new ModelOptions { DepthRule = rule, Depth = 2, Sparsity = 0 });
            using var trainer = new TinyByteLm.Trainer(model, new TrainerSettings { Steps = 3, Acceleration = SparsityAcceleration.Off }, TinyText.Batches(4, 16, seed: 0));
            return Enumerable.Range(0, 3).Select(_ => trainer.TrainStep().Loss).ToArray();
        }).ToList();
        Assert.Equal(losses[0], losses[1]);
        Assert.Equal(losses[0], losses[2]);
    }

    [Fact]
    public void An_expert_bank_in_a_repeated_block_gets_the_in_branch_factors_router_included()
    {
        // TinyMoeLm: base width 16, declared depth 1 = base depth, experts half sparse. Width 64: m_d = 4; depth 4: m_L = 4,
        // so depth-μP's in-branch LR factor is m_L^(−½) = 1/2 and its ε factor m_d⁻¹·m_L^(−½) = 1/8.
        using var model = new TinyMoeLm(64, options: new ModelOptions { DepthRule = DepthRule.DepthMuP, Depth = 4 });
        var rows = model.Plan.DescribeParameters().ToDictionary(r => r.Name);
        Assert.All(rows.Values, r => Assert.Equal(r.Name.StartsWith("blocks.", StringComparison.Ordinal), r.InBranch));

        var router = rows["blocks.3.mixture.router.weight"];
        Assert.Equal(ParameterRole.Router, router.Role);
        Assert.Equal((0.5, 1.0 / 8, 1.0), (router.LearningRateMultiplier, router.EpsilonMultiplier, router.WeightDecayMultiplier));
        Assert.Equal(0.25, router.ForwardMultiplier, 12); // α_r/m_d: the depth rule leaves the forward alone

        // An expert's hidden weight: (m_d·m_ρ)⁻¹·m_L^(−½) = (4·½)⁻¹·½ = 1/4, decay λ·m_d·m_ρ = 2λ; its bias: ½.
        var up = rows["blocks.2.mixture.experts.1.up.weight"];
        Assert.Equal((0.25, 1.0 / 8, 2.0), (up.LearningRateMultiplier, up.EpsilonMultiplier, up.WeightDecayMultiplier));
        var bias = rows["blocks.0.mixture.experts.3.down.bias"];
        Assert.Equal((0.5, 1.0 / 8), (bias.LearningRateMultiplier, bias.EpsilonMultiplier));
        Assert.Equal((1.0, 0.25), (rows["embed.weight"].LearningRateMultiplier, rows["embed.weight"].EpsilonMultiplier));

        const double eta = 0.01, eps = 1e-8;
        var groups = ScaledOptimizers.ParameterGroups(model, new AdamWSettings { LearningRate = eta, Epsilon = eps });
        var routerGroup = groups.Single(g => g.Parameters.Any(p => p.Name == "blocks.1.mixture.router.weight"));
        Assert.Equal(eta / 2, routerGroup.LearningRate, 1e-15);
        Assert.Equal(eps / 8, routerGroup.Epsilon, 1e-22);
    }

    [Fact]
    public void An_expert_bank_block_adds_its_branch_times_the_multiplier()
    {
        using var model = new TinyMoeLm(32, seed: 3, options: new ModelOptions { DepthRule = DepthRule.CompleteP, Depth = 4 });
        var block = model.Blocks[2];
        using var x = randn([2, 5, 32], generator: new TorchSharp.torch.Generator(11));
        using var _ = no_grad();
        using var actual = block.call(x);
        using var mixture = block.Mixture.call(block.MixtureNorm.call(x));
        using var expected = x + mixture * 0.25; // CompleteP, m_L = 4: m_L^(−1)
        // float32: the fused add-with-alpha and the separate multiply differ by rounding only.
        Assert.True(expected.allclose(actual, rtol: 1e-5, atol: 1e-6), $"max |diff| {(expected - actual).abs().max().item<float>()}");
    }

    [Fact]
    public void A_repeat_stack_inside_a_repeated_block_is_refused_under_a_depth_rule()
    {
        var inner = new BlockDeclaration("Inner", [new LayerDeclaration("norm", new NormAttribute())]);
        var outer = new BlockDeclaration("Outer", [new ChildDeclaration("inner", () => inner, 2)]);
        var model = new BlockDeclaration("Nested", [new ChildDeclaration("outer", () => outer, 2)]);
        Assert.Equal(2, ModelPlan.Create(model, 16, 16).Stacks.Count(s => s.Name.StartsWith("outer.", StringComparison.Ordinal))); // allowed without a rule
        var e = Assert.Throws<ArgumentException>(() => ModelPlan.Create(model, 16, 16, new ModelOptions { DepthRule = DepthRule.CompleteP }));
        Assert.Contains("Nested.outer.0.inner: a [Repeat] stack inside the repeated block 'outer'", e.Message);
    }

    [Fact]
    public void A_declared_base_depth_sets_m_L_and_an_undeclared_one_is_the_declared_depth()
    {
        var block = new BlockDeclaration("B", [new LayerDeclaration("norm", new NormAttribute())]);
        var declared = new BlockDeclaration("M", [new ChildDeclaration("blocks", () => block, 6, BaseDepth: 3)]);
        var plan = ModelPlan.Create(declared, 16, 16, new ModelOptions { DepthRule = DepthRule.DepthMuP, Depth = 12 });
        Assert.Equal((12, 3, 4.0, 0.5), (plan.Stacks[0].Depth, plan.Stacks[0].BaseDepth, plan.Stacks[0].DepthMultiplier, plan.Stacks[0].ResidualMultiplier));
        var undeclared = new BlockDeclaration("M", [new ChildDeclaration("blocks", () => block, 6)]);
        Assert.Equal(2.0, ModelPlan.Create(undeclared, 16, 16, new ModelOptions { Depth = 12 }).Stacks[0].DepthMultiplier);
    }

    [Fact]
    public void Describe_shows_the_depth_rule_the_stack_and_each_groups_epsilon()
    {
        using var model = Build(DepthRule.CompleteP);
        string text = model.Describe();
        Assert.StartsWith("TinyByteLm: width 32 (base 16, m_d 2), SμPar, depth rule CompleteP\nblocks: depth 8 (base 2, m_L 4), residual branches x 0.25\n", text);
        Assert.Matches(@"blocks\.0\.attention\.query\.weight\s+Hidden\s+32x32\s+32\s+0\.125 normal\s+\S+\s+4\s+1\s+yes\s+0\.125\s+yes", text);
        Assert.Matches(@"final_norm\.weight\s+Norm\s+32\s+1\s+1\s+ones\s+0\s+1\s+1\s+no\s+0\.5\s+no", text);
        Assert.Contains("LR x 4, ε x 0.125, decay x 0.25:", text);
        Assert.Contains("LR x 1, ε x 0.5, decay x 0:", text);

        using var json = System.Text.Json.JsonDocument.Parse(model.DescribeJson());
        var root = json.RootElement;
        Assert.Equal("CompleteP", root.GetProperty("depthRule").GetString());
        Assert.Equal(0.25, root.GetProperty("stacks")[0].GetProperty("residualMultiplier").GetDouble());
        var norm = root.GetProperty("parameters").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "blocks.2.mlp_norm.weight");
        Assert.Equal(0.125, norm.GetProperty("epsilonMultiplier").GetDouble());
        Assert.True(norm.GetProperty("inBranch").GetBoolean());
    }

    [Fact]
    public void A_checkpoint_refuses_a_model_built_with_another_depth_rule()
    {
        using var folder = new TempFolder();
        string path = folder.File("deep.ckpt");
        using (var model = Build(DepthRule.CompleteP, depth: 3))
        using (var trainer = new TinyByteLm.Trainer(model, new TrainerSettings { Steps = 2, Acceleration = SparsityAcceleration.Off }, TinyText.Batches(4, 16, seed: 0)))
        {
            trainer.TrainStep();
            trainer.SaveCheckpoint(path);
        }
        var header = Checkpoint.ReadHeader(path);
        Assert.Equal(DepthRule.CompleteP, header.Recipe.Options.DepthRule);
        Assert.Equal(2, header.Recipe.BaseDepths!["blocks"]);

        using var other = Build(DepthRule.None, depth: 3);
        using var wrong = new TinyByteLm.Trainer(other, new TrainerSettings { Steps = 2 }, TinyText.Batches(4, 16, seed: 0));
        var e = Assert.Throws<InvalidDataException>(() => wrong.LoadCheckpoint(path));
        Assert.Contains("was trained under depth rule CompleteP, but the model is built with depth rule none", e.Message);

        using var resumed = TinyByteLm.Trainer.Resume(path, new TrainerSettings { Steps = 2, Acceleration = SparsityAcceleration.Off }, TinyText.Batches(4, 16, seed: 0));
        Assert.Equal(DepthRule.CompleteP, resumed.Model.Plan.DepthRule);
        Assert.Equal(1, resumed.CompletedSteps);
    }

    // Relative 1e-12: the products of exact powers of two and decimal constants agree to double rounding.
    private static void AssertGroup(ParameterGroup g, double learningRate, double epsilon, double decay)
    {
        Assert.Equal(learningRate, g.LearningRate, learningRate * 1e-12);
        Assert.Equal(epsilon, g.Epsilon, epsilon * 1e-12);
        Assert.Equal(decay, g.WeightDecay, decay * 1e-12);
    }
}
