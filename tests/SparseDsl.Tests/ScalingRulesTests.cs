namespace SparseDsl.Tests;

/// <summary>Table 1 of Dey et al. (2024), checked cell by cell against values worked out by hand.</summary>
public class ScalingRulesTests
{
    private static readonly BaseHyperparameters Hp = new(InitStd: 0.08, LearningRate: 0.01, InputAlpha: 9.0, OutputAlpha: 1.5);
    private const double Tol = 1e-12;

    [Fact]
    public void SuPar_hidden_uses_width_and_density_multipliers()
    {
        var rules = new ScalingRules(Parameterization.SuPar, Hp);
        // m_d = 2, m_ρ = 0.125: variance σ²/(0.25) → std 2σ = 0.16; LR η/(0.25) → multiplier 4.
        var s = rules.Weight(ParameterRole.Hidden, widthMultiplier: 2, densityMultiplier: 0.125);
        Assert.Equal(0.16, s.InitStd, Tol);
        Assert.Equal(4.0, s.LearningRateMultiplier, Tol);
        Assert.Equal(1.0, s.ForwardMultiplier, Tol);
        Assert.True(s.WeightDecay);
    }

    [Fact]
    public void MuP_hidden_ignores_density()
    {
        var rules = new ScalingRules(Parameterization.MuP, Hp);
        var s = rules.Weight(ParameterRole.Hidden, widthMultiplier: 4, densityMultiplier: 0.125);
        Assert.Equal(0.04, s.InitStd, Tol);            // σ/√4
        Assert.Equal(0.25, s.LearningRateMultiplier, Tol); // 1/4
    }

    [Fact]
    public void SuPar_equals_MuP_when_dense()
    {
        var supar = new ScalingRules(Parameterization.SuPar, Hp);
        var mup = new ScalingRules(Parameterization.MuP, Hp);
        foreach (var role in Enum.GetValues<ParameterRole>())
            Assert.Equal(mup.Weight(role, 8, 1.0), supar.Weight(role, 8, 1.0));
    }

    [Fact]
    public void Standard_parameterization_has_no_scaling_or_multipliers()
    {
        var rules = new ScalingRules(Parameterization.Standard, Hp);
        foreach (var role in new[] { ParameterRole.Embedding, ParameterRole.Hidden, ParameterRole.Readout })
        {
            var s = rules.Weight(role, widthMultiplier: 8, densityMultiplier: 0.0625);
            Assert.Equal(0.08, s.InitStd, Tol);
            Assert.Equal(1.0, s.LearningRateMultiplier, Tol);
            Assert.Equal(1.0, s.ForwardMultiplier, Tol);
        }
        Assert.Equal(1 / Math.Sqrt(64), rules.AttentionScale(64), Tol);
    }

    [Theory]
    [InlineData(Parameterization.MuP)]
    [InlineData(Parameterization.SuPar)]
    public void Embedding_and_readout_rows(Parameterization p)
    {
        var rules = new ScalingRules(p, Hp);
        var emb = rules.Weight(ParameterRole.Embedding, 1.0);
        Assert.Equal((0.08, 1.0, 9.0), (emb.InitStd, emb.LearningRateMultiplier, emb.ForwardMultiplier));
        var readout = rules.Weight(ParameterRole.Readout, widthMultiplier: 4.0);
        Assert.Equal(0.08, readout.InitStd, Tol);
        Assert.Equal(1.0, readout.LearningRateMultiplier, Tol);
        Assert.Equal(1.5 / 4.0, readout.ForwardMultiplier, Tol); // α_output / m_d
        Assert.Equal(1.0 / 64, rules.AttentionScale(64), Tol);
    }

    [Theory]
    [InlineData(Parameterization.MuP)]
    [InlineData(Parameterization.SuPar)]
    public void An_expert_banks_router_is_output_like_with_alpha_one(Parameterization p)
    {
        var rules = new ScalingRules(p, Hp);
        // Width → E experts at m_d = 4: init σ = 0.08, LR η × 1, logits × 1/4 (docs/moe.md), decayed like a readout.
        var router = rules.Weight(ParameterRole.Router, widthMultiplier: 4.0);
        Assert.Equal(0.08, router.InitStd, Tol);
        Assert.Equal(1.0, router.LearningRateMultiplier, Tol);
        Assert.Equal(0.25, router.ForwardMultiplier, Tol);
        Assert.True(router.WeightDecay);
        // No α_output: the router's multiplier is its own, α_router/m_d (α_output here is 1.5, α_router 1).
        Assert.Equal(0.125, rules.Weight(ParameterRole.Router, widthMultiplier: 8.0).ForwardMultiplier, Tol);
        // A tuned α_router = 0.25 at m_d = 2: 0.125; init and LR unchanged.
        var tuned = new ScalingRules(p, Hp with { RouterAlpha = 0.25 }).Weight(ParameterRole.Router, widthMultiplier: 2.0);
        Assert.Equal((0.08, 1.0, 0.125), (tuned.InitStd, tuned.LearningRateMultiplier, tuned.ForwardMultiplier));
    }

    [Fact]
    public void Under_SP_the_router_is_a_plain_linear_layer()
    {
        var router = new ScalingRules(Parameterization.Standard, Hp with { RouterAlpha = 0.25 }).Weight(ParameterRole.Router, widthMultiplier: 4.0);
        Assert.Equal((0.08, 1.0, 1.0), (router.InitStd, router.LearningRateMultiplier, router.ForwardMultiplier));
    }

    [Fact]
    public void Expert_weights_are_hidden_weights_of_one_expert_and_expert_biases_are_biases()
    {
        var rules = new ScalingRules(Parameterization.SuPar, Hp);
        // An expert's up projection at m_d = 2 (its own fan-in) with a quarter of its weights: σ²/(2·0.25) → std
        // 0.08·√2 = 0.1131371; LR η/(0.5) → multiplier 2. Nothing depends on how many experts there are.
        var up = rules.Weight(ParameterRole.Hidden, widthMultiplier: 2, densityMultiplier: 0.25);
        Assert.Equal(0.1131370850, up.InitStd, 9);
        Assert.Equal(2.0, up.LearningRateMultiplier, Tol);
        Assert.Equal(1.0, up.ForwardMultiplier, Tol);
        // A fine-grained expert's down projection reading width/2 at m_d = 2 and density 1/8: std 0.08·2 = 0.16, LR × 4.
        var down = rules.Weight(ParameterRole.Hidden, widthMultiplier: 2, densityMultiplier: 0.125);
        Assert.Equal(0.16, down.InitStd, Tol);
        Assert.Equal(4.0, down.LearningRateMultiplier, Tol);
        var bias = rules.Weight(ParameterRole.Bias, widthMultiplier: 2, densityMultiplier: 0.25);
        Assert.Equal((0.0, 1.0, 1.0, false), (bias.InitStd, bias.LearningRateMultiplier, bias.ForwardMultiplier, bias.WeightDecay));
    }

    [Fact]
    public void Biases_and_norms_are_not_decayed_and_use_base_lr()
    {
        var rules = new ScalingRules(Parameterization.SuPar, Hp);
        foreach (var role in new[] { ParameterRole.Bias, ParameterRole.Norm })
        {
            var s = rules.Weight(role, 4.0, 0.5);
            Assert.False(s.WeightDecay);
            Assert.Equal(1.0, s.LearningRateMultiplier, Tol);
        }
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void Sparsity_outside_unit_interval_is_rejected(double sparsity) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ScalingRules.DensityMultiplier(sparsity));

    [Fact]
    public void Roles_follow_finite_dimensions()
    {
        Assert.Equal(ParameterRole.Embedding, ScalingRules.RoleOf(Dimension.Fixed(784), Dimension.OfWidth()));
        Assert.Equal(ParameterRole.Readout, ScalingRules.RoleOf(Dimension.OfWidth(), Dimension.Fixed(10)));
        Assert.Equal(ParameterRole.Hidden, ScalingRules.RoleOf(Dimension.OfWidth(4), Dimension.OfWidth()));
    }

    [Fact]
    public void Width_multiplier_comes_from_the_fan_in()
    {
        Assert.Equal(2.0, ScalingRules.WidthMultiplier(Dimension.OfWidth(4), width: 512, baseWidth: 256), Tol);
        Assert.Equal(1.0, ScalingRules.WidthMultiplier(Dimension.Fixed(784), width: 512, baseWidth: 256), Tol);
    }

    [Fact]
    public void Invalid_hyperparameters_are_rejected() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ScalingRules(Parameterization.SuPar, Hp with { LearningRate = 0 }));
}
