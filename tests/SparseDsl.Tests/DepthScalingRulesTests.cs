namespace SparseDsl.Tests;

/// <summary>
/// The depth rows of docs/depth.md (R0–R20) checked cell by cell against values worked out by hand, in the style of
/// <see cref="ScalingRulesTests"/>: one model shape (m_d = 2, m_ρ = 1/8, m_L = 4) under each depth rule.
/// </summary>
public class DepthScalingRulesTests
{
    private static readonly BaseHyperparameters Hp = new(InitStd: 0.08, LearningRate: 0.01, InputAlpha: 9.0, OutputAlpha: 1.5);
    private const double Tol = 1e-12;
    private const double Md = 2, Rho = 0.125, Ml = 4;

    // One row per (rule, tensor): the LR multiplier, AdamW ε multiplier and decay multiplier typed from the table, not
    // computed. Hidden = SμPar hidden weight with m_d 2 and m_ρ 1/8 (width/density LR 1/(2·1/8) = 4).
    //   depth-μP (α = ½): LR × m_L^(−½) = ½; ε × m_d⁻¹·m_L^(−½) = ½·½ = ¼ in a branch, ½ outside; decay × m_d·m_ρ = ¼.
    //   CompleteP (α = 1): LR × m_L^0 = 1; ε × m_d⁻¹·m_L⁻¹ = ½·¼ = ⅛ in a branch, ½ outside; decay × ¼.
    [Theory]
    [InlineData(DepthRule.None, ParameterRole.Hidden, true, 4.0, 1.0, 1.0)]
    [InlineData(DepthRule.DepthMuP, ParameterRole.Hidden, true, 2.0, 0.25, 0.25)]
    [InlineData(DepthRule.CompleteP, ParameterRole.Hidden, true, 4.0, 0.125, 0.25)]
    [InlineData(DepthRule.None, ParameterRole.Norm, true, 1.0, 1.0, 1.0)]
    [InlineData(DepthRule.DepthMuP, ParameterRole.Norm, true, 0.5, 0.25, 1.0)]
    [InlineData(DepthRule.CompleteP, ParameterRole.Norm, true, 1.0, 0.125, 1.0)]
    [InlineData(DepthRule.DepthMuP, ParameterRole.Bias, true, 0.5, 0.25, 1.0)]
    [InlineData(DepthRule.CompleteP, ParameterRole.Bias, true, 1.0, 0.125, 1.0)]
    [InlineData(DepthRule.DepthMuP, ParameterRole.Vector, true, 0.5, 0.25, 1.0)]
    [InlineData(DepthRule.None, ParameterRole.Norm, false, 1.0, 1.0, 1.0)]       // the final norm
    [InlineData(DepthRule.DepthMuP, ParameterRole.Norm, false, 1.0, 0.5, 1.0)]
    [InlineData(DepthRule.CompleteP, ParameterRole.Norm, false, 1.0, 0.5, 1.0)]
    [InlineData(DepthRule.None, ParameterRole.Embedding, false, 1.0, 1.0, 1.0)]
    [InlineData(DepthRule.DepthMuP, ParameterRole.Embedding, false, 1.0, 0.5, 1.0)]
    [InlineData(DepthRule.CompleteP, ParameterRole.Embedding, false, 1.0, 0.5, 1.0)]
    [InlineData(DepthRule.CompleteP, ParameterRole.Readout, false, 1.0, 0.5, 1.0)]
    [InlineData(DepthRule.DepthMuP, ParameterRole.Hidden, false, 4.0, 0.5, 0.25)]    // a hidden layer outside any branch
    public void Table_of_learning_rate_epsilon_and_decay_factors(DepthRule rule, ParameterRole role, bool inBranch, double lr, double epsilon, double decay)
    {
        var rules = new ScalingRules(Parameterization.SuPar, Hp, rule);
        double widthMultiplier = role == ParameterRole.Hidden ? Md : 1.0, density = role == ParameterRole.Hidden ? Rho : 1.0;
        var s = rules.Weight(role, widthMultiplier, density, modelWidthMultiplier: Md, branchDepthMultiplier: inBranch ? Ml : null);
        Assert.Equal(lr, s.LearningRateMultiplier, Tol);
        Assert.Equal(epsilon, s.EpsilonMultiplier, Tol);
        Assert.Equal(decay, s.WeightDecayMultiplier, Tol);
        Assert.Equal(inBranch, s.InBranch);
    }

    [Theory]
    [InlineData(DepthRule.None, 1.0, 1.0)]
    [InlineData(DepthRule.DepthMuP, 0.5, 0.5)]   // m_L = 4: 4^(−½), 4^(½−1)
    [InlineData(DepthRule.CompleteP, 0.25, 1.0)] // 4^(−1), 4^0
    public void Residual_multiplier_and_branch_learning_rate_at_four_times_the_base_depth(DepthRule rule, double residual, double branchLr)
    {
        var rules = new ScalingRules(Parameterization.SuPar, Hp, rule);
        Assert.Equal(residual, rules.ResidualMultiplier(Ml), Tol);
        Assert.Equal(branchLr, rules.BranchLearningRateMultiplier(Ml), Tol);
    }

    [Fact]
    public void Depth_mup_at_sixteen_times_the_base_depth()
    {
        var rules = new ScalingRules(Parameterization.SuPar, Hp, DepthRule.DepthMuP);
        Assert.Equal(0.25, rules.ResidualMultiplier(16), Tol);
        Assert.Equal(0.25, rules.BranchLearningRateMultiplier(16), Tol);
        Assert.Equal(0.0625, rules.ResidualMultiplier(16) * rules.BranchLearningRateMultiplier(16), Tol); // = 1/m_L for every α
    }

    [Theory]
    [InlineData(DepthRule.None)]
    [InlineData(DepthRule.DepthMuP)]
    [InlineData(DepthRule.CompleteP)]
    public void No_init_or_forward_multiplier_carries_a_depth_factor(DepthRule rule)
    {
        var rules = new ScalingRules(Parameterization.SuPar, Hp, rule);
        Assert.Equal(0.16, rules.Weight(ParameterRole.Hidden, Md, Rho, Md, Ml).InitStd, Tol); // σ/√(m_d·m_ρ) = 0.08/√0.25
        Assert.Equal(9.0, rules.Weight(ParameterRole.Embedding, 1, 1, Md, null).ForwardMultiplier, Tol);
        Assert.Equal(0.75, rules.Weight(ParameterRole.Readout, Md, 1, Md, null).ForwardMultiplier, Tol); // α_output/m_d
    }

    [Fact]
    public void At_the_base_shape_every_rule_gives_the_same_scaling()
    {
        var none = new ScalingRules(Parameterization.SuPar, Hp);
        foreach (var rule in DepthRuleNames.All)
        {
            var rules = new ScalingRules(Parameterization.SuPar, Hp, rule);
            Assert.Equal(1.0, rules.ResidualMultiplier(1), Tol);
            foreach (var role in new[] { ParameterRole.Hidden, ParameterRole.Norm, ParameterRole.Bias, ParameterRole.Embedding })
            {
                var expected = none.Weight(role, 1, 1, 1, 1);
                var actual = rules.Weight(role, 1, 1, 1, 1);
                Assert.Equal(expected.LearningRateMultiplier, actual.LearningRateMultiplier, Tol);
                Assert.Equal(expected.EpsilonMultiplier, actual.EpsilonMultiplier, Tol);
                Assert.Equal(expected.WeightDecayMultiplier, actual.WeightDecayMultiplier, Tol);
            }
        }
    }

    [Fact]
    public void Standard_parameterization_with_completep_scales_depth_only()
    {
        var rules = new ScalingRules(Parameterization.Standard, Hp, DepthRule.CompleteP);
        var hidden = rules.Weight(ParameterRole.Hidden, Md, Rho, Md, Ml);
        Assert.Equal(1.0, hidden.LearningRateMultiplier, Tol); // SP: no width factor; α = 1: no depth factor
        Assert.Equal(0.25, hidden.EpsilonMultiplier, Tol);     // no m_d under SP; m_L⁻¹ in a branch
        Assert.Equal(1.0, rules.Weight(ParameterRole.Embedding, 1, 1, Md, null).EpsilonMultiplier, Tol);
        Assert.Equal(0.25, rules.ResidualMultiplier(Ml), Tol);
    }

    [Fact]
    public void MuP_with_depth_mup_decays_by_width_alone_and_never_by_depth()
    {
        var rules = new ScalingRules(Parameterization.MuP, Hp, DepthRule.DepthMuP);
        var hidden = rules.Weight(ParameterRole.Hidden, Md, Rho, Md, Ml);
        Assert.Equal(0.25, hidden.LearningRateMultiplier, Tol); // 1/m_d · m_L^(−½) = ½ · ½
        Assert.Equal(2.0, hidden.WeightDecayMultiplier, Tol);   // λ·m_d; dividing by the whole LR multiplier would give 4
        Assert.Equal(2.0, ScalingRules.WidthIndependentDecayMultiplier(hidden), Tol);
    }

    [Fact]
    public void Depth_multiplier_is_depth_over_base_depth()
    {
        Assert.Equal(4.0, ScalingRules.DepthMultiplier(8, 2), Tol);
        Assert.Equal(0.5, ScalingRules.DepthMultiplier(1, 2), Tol);
        Assert.Throws<ArgumentOutOfRangeException>(() => ScalingRules.DepthMultiplier(0, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => ScalingRules.DepthMultiplier(2, 0));
        var rules = new ScalingRules(Parameterization.SuPar, Hp, DepthRule.CompleteP);
        Assert.Throws<ArgumentOutOfRangeException>(() => rules.ResidualMultiplier(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ScalingRules(Parameterization.SuPar, Hp, (DepthRule)9));
    }

    [Theory]
    [InlineData(DepthRule.None, "none", "none")]
    [InlineData(DepthRule.DepthMuP, "depth-μP", "depth-mup")]
    [InlineData(DepthRule.CompleteP, "CompleteP", "completep")]
    public void Each_rule_has_a_display_name_and_a_token_that_parse_back(DepthRule rule, string display, string token)
    {
        Assert.Equal(display, rule.DisplayName());
        Assert.Equal(token, rule.Token());
        Assert.Equal(rule, DepthRuleNames.Parse(token.ToUpperInvariant()));
        Assert.Equal(rule, DepthRuleNames.Parse(display));
        var e = Assert.Throws<FormatException>(() => DepthRuleNames.Parse("alpha"));
        Assert.Contains("none, depth-mup, completep", e.Message);
    }
}
