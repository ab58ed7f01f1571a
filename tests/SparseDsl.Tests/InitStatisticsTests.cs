using static TorchSharp.torch;

namespace SparseDsl.Tests;

/// <summary>
/// The paper's first check (supar-spec "How correctness shows", 1): a generated model's initial weights follow
/// Table 1. Each empirical std is compared with the formula within 5 standard errors of a sample std,
/// 5/√(2n) relative, which is ≤ 8% here; dropping m_ρ at sparsity 0.875 would be off by √8 ≈ 2.8×.
/// </summary>
public class InitStatisticsTests
{
    private static readonly double Sigma = BaseHyperparameters.Paper.InitStd;

    public static TheoryData<int, double> WidthsAndSparsities => new()
    {
        { 128, 0.0 }, { 128, 0.875 }, { 256, 0.0 }, { 256, 0.875 },
    };

    [Theory]
    [MemberData(nameof(WidthsAndSparsities))]
    public void Hidden_weights_have_std_sigma_over_sqrt_md_mrho(int width, double sparsity)
    {
        using var model = new ProbeModel(width, seed: 11, options: new ModelOptions { Sparsity = sparsity });
        double md = width / 64.0;
        double mrho = 1 - sparsity;

        AssertStd(model.Hidden, Sigma / Math.Sqrt(md * mrho));
        AssertStd(model.Down, Sigma / Math.Sqrt(md * mrho)); // fan-in 2·width: m_d = 2·width / (2·64)
        AssertStd(model.Up, Sigma / Math.Sqrt(md));          // dense hidden layer: m_ρ = 1
    }

    [Theory]
    [MemberData(nameof(WidthsAndSparsities))]
    public void Mask_density_is_exactly_the_declared_density(int width, double sparsity)
    {
        using var model = new ProbeModel(width, seed: 3, options: new ModelOptions { Sparsity = sparsity });
        foreach (var layer in new[] { model.Hidden, model.Down })
        {
            if (sparsity == 0)
            {
                Assert.Null(layer.Mask);
                continue;
            }
            var mask = layer.Mask!.data<float>().ToArray();
            Assert.All(mask, v => Assert.True(v == 0f || v == 1f));
            long ones = mask.LongCount(v => v == 1f);
            Assert.Equal((long)Math.Round((1 - sparsity) * mask.Length), ones);
            // The stored weight is already W ⊙ M.
            var w = layer.Weight.data<float>().ToArray();
            Assert.True(w.Where((_, i) => mask[i] == 0f).All(v => v == 0f));
        }
    }

    [Theory]
    [InlineData(128)]
    [InlineData(256)]
    public void Embedding_and_readout_follow_their_rows_of_table_1(int width)
    {
        using var model = new ProbeModel(width, seed: 5);
        double md = width / 64.0;
        AssertStd(model.Embed.Weight, null, Sigma);
        AssertStd(model.Readout, Sigma);
        Assert.Equal(BaseHyperparameters.Paper.InputAlpha, model.Embed.ForwardMultiplier, 12);
        Assert.Equal(BaseHyperparameters.Paper.OutputAlpha / md, model.Readout.ForwardMultiplier, 12);

        using var _ = no_grad();
        // Forward passes apply exactly those multipliers.
        using var ids = tensor(new long[] { 3, 7, 99 });
        using var looked = model.Embed.call(ids);
        using var expectedRows = model.Embed.Weight.index_select(0, ids) * BaseHyperparameters.Paper.InputAlpha;
        Assert.True(looked.allclose(expectedRows, rtol: 1e-6, atol: 1e-7));

        using var h = randn(4, width);
        using var logits = model.Readout.call(h);
        using var expectedLogits = h.matmul(model.Readout.Weight.t()) * (BaseHyperparameters.Paper.OutputAlpha / md);
        Assert.True(logits.allclose(expectedLogits, rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void Standard_parameterization_does_not_scale_hidden_init()
    {
        using var model = new ProbeModel(256, seed: 2, options: new ModelOptions { Parameterization = Parameterization.Standard, Sparsity = 0.875 });
        AssertStd(model.Hidden, Sigma);
        Assert.Equal(1.0, model.Readout.ForwardMultiplier);
    }

    private static void AssertStd(ScaledLinear layer, double expected) => AssertStd(layer.Weight, layer.Mask, expected);

    private static void AssertStd(Tensor weight, Tensor? mask, double expected)
    {
        var w = weight.data<float>().ToArray();
        var m = mask?.data<float>().ToArray();
        var kept = m is null ? w : w.Where((_, i) => m[i] == 1f).ToArray();
        double mean = kept.Average(v => (double)v);
        double std = Math.Sqrt(kept.Sum(v => (v - mean) * (v - mean)) / (kept.Length - 1));
        double tolerance = 5.0 / Math.Sqrt(2.0 * kept.Length);
        Assert.True(Math.Abs(std / expected - 1) < tolerance,
            $"empirical std {std:G5} over {kept.Length} unmasked entries vs expected {expected:G5} (tolerance {tolerance:P1})");
    }
}
