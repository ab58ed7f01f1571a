using SparseDsl.Data;
using SparseDsl.Experiments;
using SparseDsl.Experiments.Gpt;
using SparseDsl.Experiments.Llama;
using static TorchSharp.torch;

namespace SparseDsl.Tests.Llama;

/// <summary>
/// The Llama-style LM: a seeded small training run (the loss falls, masks stay exact) and its describe rows against
/// Table 1 of Dey et al. (2024), with every expected value computed here from the paper's formulas and constants — in
/// particular the grouped-query key/value projections, width → width/4, which are hidden layers read along the width.
/// </summary>
public class LlamaTests
{
    // Table 3 of the paper, typed in again on purpose.
    private const double Sigma = 0.08665602, AlphaIn = 9.1705, AlphaOut = 1.0951835, BaseWidth = 256;
    private const int HeadDim = 32, QueryHeadsPerKeyValueHead = 4;

    private static readonly Lazy<TextCorpus> Text = new(BundledCorpus.Open);

    [Fact]
    public void A_small_seeded_Llama_learns_bytes_and_keeps_its_masks()
    {
        using var model = new LlamaLm(128, TestDevice.Current, seed: 1, options: new ModelOptions { Depth = 1 });
        var settings = new TrainerSettings
        {
            Steps = 20,
            Optimizer = new AdamWSettings { LearningRate = 1.62e-2 },
            Schedule = new ScheduleSettings { Kind = ScheduleKind.Constant, WarmupFraction = 0 },
        };
        using var trainer = new LlamaLm.Trainer(model, settings, new NextTokenBatches(Text.Value, 4, 32, seed: 1));
        var losses = Enumerable.Range(0, 20).Select(_ => trainer.TrainStep().Loss).ToList();

        Assert.Equal(Math.Log(256), losses[0], 3); // the zero-initialised readout starts at the uniform guess
        Assert.True(losses[^5..].Average() < losses[0] - 1.5, $"loss {losses[0]:0.000} → {losses[^5..].Average():0.000}");
        var sparse = model.modules().OfType<ScaledLinear>().Where(l => l.Plan.IsMasked).ToList();
        Assert.Equal(7, sparse.Count); // q, k, v, o, gate, up, down
        foreach (var layer in sparse)
            Assert.Equal(0, layer.Weight.mul(layer.Mask!.logical_not()).abs().sum().item<float>());
        var key = model.Blocks[0].Attention.Key;
        Assert.Equal([32L, 128L], key.Weight.shape);
        Assert.Equal((long)Math.Round(0.125 * 32 * 128), (long)key.Mask!.sum().item<float>()); // exact density
    }

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
    public void Every_parameter_matches_Table_1_including_the_grouped_query_key_and_value(int width, double sparsity, Parameterization parameterization)
    {
        // From the registry by its short name, as the CLI chooses it; the plan alone, no tensors.
        var plan = LanguageModels.Named("llama").Plan(width, new ModelOptions { Parameterization = parameterization, Sparsity = sparsity });
        var rows = plan.DescribeParameters();
        bool sp = parameterization == Parameterization.Standard, supar = parameterization == Parameterization.SuPar;
        double md = width / BaseWidth, rho = 1 - sparsity;
        double hiddenWidth = sp ? 1 : supar ? md * rho : md; // the "effective width" of a hidden layer
        double hiddenStd = Sigma / Math.Sqrt(hiddenWidth), hiddenLr = 1 / hiddenWidth;

        var expected = new List<(string Name, ParameterRole Role, long[] Shape, int FanIn, double Density, ParameterInit Init, double Std, double Lr, double Fwd, bool Decay)>
        {
            ("embed.weight", ParameterRole.Embedding, [256, width], 1, 1, ParameterInit.Normal, Sigma, 1, sp ? 1 : AlphaIn, true),
        };
        for (int b = 0; b < 2; b++)
        {
            string p = $"blocks.{b}.";
            expected.Add((p + "attention_norm.weight", ParameterRole.Norm, [width], 1, 1, ParameterInit.Ones, 0, 1, 1, false));
            expected.Add((p + "attention.query.weight", ParameterRole.Hidden, [width, width], width, rho, ParameterInit.Normal, hiddenStd, hiddenLr, 1, true));
            // Grouped-query K and V write width/4 but read the whole width: fan-in width, so the same m_d and m_ρ as Q.
            expected.Add((p + "attention.key.weight", ParameterRole.Hidden, [width / 4, width], width, rho, ParameterInit.Normal, hiddenStd, hiddenLr, 1, true));
            expected.Add((p + "attention.value.weight", ParameterRole.Hidden, [width / 4, width], width, rho, ParameterInit.Normal, hiddenStd, hiddenLr, 1, true));
            expected.Add((p + "attention.output.weight", ParameterRole.Hidden, [width, width], width, rho, ParameterInit.Normal, hiddenStd, hiddenLr, 1, true));
            expected.Add((p + "mlp_norm.weight", ParameterRole.Norm, [width], 1, 1, ParameterInit.Ones, 0, 1, 1, false));
            foreach (var proj in new[] { "gate", "up" })
                expected.Add(($"{p}mlp.{proj}.weight", ParameterRole.Hidden, [4 * width, width], width, rho, ParameterInit.Normal, hiddenStd, hiddenLr, 1, true));
            expected.Add(($"{p}mlp.down.weight", ParameterRole.Hidden, [width, 4 * width], 4 * width, rho, ParameterInit.Normal, hiddenStd, hiddenLr, 1, true));
        }
        expected.Add(("final_norm.weight", ParameterRole.Norm, [width], 1, 1, ParameterInit.Ones, 0, 1, 1, false));
        // Untied, zero-initialised readout: base LR, forward × α_output / m_d (× 1 under SP).
        expected.Add(("lm_head.weight", ParameterRole.Readout, [256, width], width, 1, ParameterInit.Zeros, 0, 1, sp ? 1 : AlphaOut / md, true));

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
        var attention = plan.Layers.Select(l => l.Attention).OfType<AttentionDescription>().ToList();
        Assert.Equal(2, attention.Count);
        Assert.All(attention, a =>
        {
            Assert.Equal(logitScale, a.LogitScale, 12);
            Assert.Equal(width / HeadDim, a.Heads);
            Assert.Equal(width / HeadDim / QueryHeadsPerKeyValueHead, a.KeyValueHeads);
            Assert.Equal(PositionEncoding.Rope, a.Positions);
        });
    }

    [Fact]
    public void Described_shapes_are_the_real_tensors()
    {
        using var model = new LlamaLm(256, seed: 1, options: new ModelOptions { Depth = 1 });
        var stateShapes = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.shape);
        // The table describes each layer's logical weight; a layer stored sparse holds it as kept values (its dense form is EffectiveWeight).
        var sparse = model.modules().OfType<ScaledLinear>().Where(l => l.IsSparseStorage).ToDictionary(l => l.Plan.Name + ".weight");
        foreach (var row in model.Plan.DescribeParameters())
        {
            if (sparse.TryGetValue(row.Name, out var layer))
            {
                using var dense = layer.EffectiveWeight();
                Assert.Equal(row.Shape, dense.shape);
                Assert.Equal(new[] { layer.Pattern!.Count }, stateShapes[layer.Plan.Name + ".weight_values"]);
            }
            else Assert.Equal(row.Shape, stateShapes[row.Name]);
        }
        Assert.Equal(model.parameters().Count(), model.ScaledParameters().Count());
        Assert.Single(model.Layers);
        Assert.Same(model.Blocks[0].Attention, model.Layers[0].Attention);
        Assert.Same(model.Blocks[0].Mlp, model.Layers[0].Mlp);
    }

    [Theory]
    [InlineData("llama", "LlamaLm")]
    [InlineData("LLAMA", "LlamaLm")]
    [InlineData("gpt", "GptLm")]
    [InlineData("Gpt", "GptLm")]
    [InlineData("llamalm", "LlamaLm")]
    public void Short_names_select_their_model_ignoring_case(string name, string model) =>
        Assert.Equal(model, LanguageModels.Named(name).Name);

    [Fact]
    public void No_name_or_short_name_is_taken_twice_and_errors_list_the_short_names()
    {
        var names = LanguageModels.All.Select(m => m.Name).Concat(LanguageModels.All.Select(m => m.ShortName).OfType<string>()).ToList();
        Assert.Equal(names.Count, names.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        var e = Assert.Throws<ArgumentException>(() => LanguageModels.Named("mistral"));
        // The reference models first, in order; a model another test added with LanguageModels.Add may follow them.
        Assert.Contains("GptLm, GptLmUntied, LlamaLm, MoeLm", e.Message);
        Assert.Contains("(short names: gpt, llama, moe)", e.Message);
    }

    [Fact]
    public void A_width_whose_quarter_holds_no_whole_head_is_refused()
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => LanguageModels.Named("llama").Plan(64, new ModelOptions()));
        Assert.Contains("32", e.Message);
    }
}
