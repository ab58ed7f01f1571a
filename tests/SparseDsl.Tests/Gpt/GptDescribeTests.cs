using System.Text.Json;
using SparseDsl.Experiments.Gpt;

namespace SparseDsl.Tests.Gpt;

/// <summary>
/// The GPT LM's describe output against Table 1 of Dey et al. (2024), with every expected value computed here from the
/// paper's formulas and constants, not from <see cref="ScalingRules"/>.
/// </summary>
public class GptDescribeTests
{
    // Table 3 of the paper, typed in again on purpose.
    private const double Sigma = 0.08665602, AlphaIn = 9.1705, AlphaOut = 1.0951835, BaseWidth = 256;
    private const int HeadDim = 32;

    public static TheoryData<int, double, Parameterization> Cases()
    {
        var data = new TheoryData<int, double, Parameterization>();
        foreach (int width in new[] { 128, 512 })
            foreach (double sparsity in new[] { 0.5, 0.875 })
                foreach (var p in new[] { Parameterization.Standard, Parameterization.MuP, Parameterization.SuPar })
                    data.Add(width, sparsity, p);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_parameter_matches_Table_1(int width, double sparsity, Parameterization parameterization)
    {
        using var model = new GptLm(width, seed: 3, options: new ModelOptions { Parameterization = parameterization, Sparsity = sparsity });
        var rows = model.Plan.DescribeParameters();
        bool sp = parameterization == Parameterization.Standard, supar = parameterization == Parameterization.SuPar;
        double md = width / BaseWidth, rho = 1 - sparsity;
        double hiddenWidth = sp ? 1 : supar ? md * rho : md; // the "effective width" of a hidden layer

        var expected = new List<(string Name, ParameterRole Role, long[] Shape, int FanIn, double Density, ParameterInit Init, double Std, double Lr, double Fwd, bool Decay)>
        {
            ("embed.weight", ParameterRole.Embedding, [256, width], 1, 1, ParameterInit.Normal, Sigma, 1, sp ? 1 : AlphaIn, true),
        };
        for (int b = 0; b < 2; b++)
        {
            string p = $"blocks.{b}.";
            expected.Add((p + "attention_norm.weight", ParameterRole.Norm, [width], 1, 1, ParameterInit.Ones, 0, 1, 1, false));
            foreach (var proj in new[] { "query", "key", "value", "output" })
                expected.Add(($"{p}attention.{proj}.weight", ParameterRole.Hidden, [width, width], width, rho, ParameterInit.Normal, Sigma / Math.Sqrt(hiddenWidth), 1 / hiddenWidth, 1, true));
            expected.Add((p + "mlp_norm.weight", ParameterRole.Norm, [width], 1, 1, ParameterInit.Ones, 0, 1, 1, false));
            foreach (var proj in new[] { "gate", "up" })
                expected.Add(($"{p}mlp.{proj}.weight", ParameterRole.Hidden, [4 * width, width], width, rho, ParameterInit.Normal, Sigma / Math.Sqrt(hiddenWidth), 1 / hiddenWidth, 1, true));
            // Down reads 4·width: its m_d is 4·width / (4·base), the same multiplier.
            expected.Add(($"{p}mlp.down.weight", ParameterRole.Hidden, [width, 4 * width], 4 * width, rho, ParameterInit.Normal, Sigma / Math.Sqrt(hiddenWidth), 1 / hiddenWidth, 1, true));
        }
        expected.Add(("final_norm.weight", ParameterRole.Norm, [width], 1, 1, ParameterInit.Ones, 0, 1, 1, false));
        expected.Add(("lm_head.weight", ParameterRole.Readout, [256, width], width, 1, ParameterInit.Tied, Sigma, 1, sp ? 1 : AlphaOut / md, true));

        Assert.Equal(expected.Select(e => e.Name), rows.Select(r => r.Name));
        foreach (var (e, r) in expected.Zip(rows))
        {
            Assert.Equal(e.Role, r.Role);
            Assert.Equal(e.Shape, r.Shape);
            Assert.Equal(e.FanIn, r.FanIn);
            Assert.Equal(e.Density, r.Density, 12);
            Assert.Equal(e.Init, r.Init);
            Assert.Equal(e.Std, r.InitStd, 12);
            Assert.Equal(e.Lr, r.LearningRateMultiplier, 12);
            Assert.Equal(e.Fwd, r.ForwardMultiplier, 12);
            Assert.Equal(e.Decay, r.WeightDecay);
        }

        double logitScale = sp ? 1 / Math.Sqrt(HeadDim) : 1.0 / HeadDim;
        var attention = model.Plan.Layers.Select(l => l.Attention).OfType<AttentionDescription>().ToList();
        Assert.Equal(2, attention.Count);
        Assert.All(attention, a => { Assert.Equal(logitScale, a.LogitScale, 12); Assert.Equal(width / HeadDim, a.Heads); });
    }

    [Fact]
    public void Described_shapes_are_the_real_tensors_and_the_tied_readout_owns_none()
    {
        using var model = new GptLm(128, seed: 1);
        var stateShapes = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.shape);
        foreach (var row in model.Plan.DescribeParameters())
        {
            string stored = row.TiedTo ?? row.Name;
            Assert.Equal(row.Shape, stateShapes[stored]);
        }
        Assert.DoesNotContain("lm_head.weight", stateShapes.Keys);
        Assert.Equal("embed.weight", model.Plan.DescribeParameters().Single(r => r.Name == "lm_head.weight").TiedTo);
        // Trained once: the scaled parameters list the table once, as the embedding.
        Assert.Single(model.ScaledParameters(), p => ReferenceEquals(p.Parameter, model.Embed.Weight));
        Assert.Equal(model.parameters().Count(), model.ScaledParameters().Count());
    }

    [Fact]
    public void Json_describe_carries_the_same_rows()
    {
        using var model = new GptLmUntied(256, seed: 1, options: new ModelOptions { Sparsity = 0.75 });
        using var json = JsonDocument.Parse(model.DescribeJson());
        var root = json.RootElement;
        Assert.Equal("GptLmUntied", root.GetProperty("model").GetString());
        Assert.Equal("SuPar", root.GetProperty("parameterization").GetString());
        var parameters = root.GetProperty("parameters").EnumerateArray().ToList();
        var rows = model.Plan.DescribeParameters();
        Assert.Equal(rows.Count, parameters.Count);
        var readout = parameters.Single(p => p.GetProperty("name").GetString() == "lm_head.weight");
        Assert.Equal("Zeros", readout.GetProperty("init").GetString());
        Assert.Equal(AlphaOut, readout.GetProperty("forwardMultiplier").GetDouble(), 12);
        var query = parameters.Single(p => p.GetProperty("name").GetString() == "blocks.1.attention.query.weight");
        Assert.Equal(1 / 0.25, query.GetProperty("learningRateMultiplier").GetDouble(), 12);
        Assert.Equal(2, root.GetProperty("attention").GetArrayLength());
        Assert.Contains("lm_head.weight", model.Describe());
    }
}
