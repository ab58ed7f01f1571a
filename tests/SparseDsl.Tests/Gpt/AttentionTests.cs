using static TorchSharp.torch;

namespace SparseDsl.Tests.Gpt;

/// <summary><see cref="ScaledAttention"/> against attention written out by hand: qᵀk·scale + ALiBi, causal softmax, · v.</summary>
public class AttentionTests
{
    private static ScaledAttention Build(Parameterization p, int dim, int headDim, bool alibi)
    {
        var declaration = new LayerDeclaration("attention", new AttentionAttribute { HeadDim = headDim, Positions = alibi ? PositionEncoding.Alibi : PositionEncoding.None });
        var plan = ModelPlan.Create("M", [declaration], 64, dim, new ModelOptions { Parameterization = p });
        return new ScaledAttention(plan["attention"]);
    }

    [Theory]
    [InlineData(Parameterization.SuPar, true)]
    [InlineData(Parameterization.Standard, true)]
    [InlineData(Parameterization.MuP, false)]
    public void Matches_attention_written_out(Parameterization p, bool alibi)
    {
        const int dim = 32, headDim = 8, heads = 4, time = 6;
        using var attention = Build(p, dim, headDim, alibi);
        double scale = p == Parameterization.Standard ? 1 / Math.Sqrt(headDim) : 1.0 / headDim;
        Assert.Equal(scale, attention.LogitScale, 12);

        using var scope = NewDisposeScope();
        manual_seed(4);
        var q = randn(2, time, dim) * 3; var k = randn(2, time, dim) * 3; var v = randn(2, time, dim);
        var actual = attention.call(q, k, v);

        var slopes = ScaledAttention.AlibiSlopes(heads);
        var expected = zeros(2, time, dim);
        for (int b = 0; b < 2; b++)
            for (int h = 0; h < heads; h++)
            {
                var qh = q[b, .., (h * headDim)..((h + 1) * headDim)];
                var kh = k[b, .., (h * headDim)..((h + 1) * headDim)];
                var vh = v[b, .., (h * headDim)..((h + 1) * headDim)];
                var logits = qh.matmul(kh.t()) * scale;
                for (int i = 0; i < time; i++)
                    for (int j = 0; j < time; j++)
                        logits[i, j] = j > i ? float.NegativeInfinity : logits[i, j].item<float>() + (alibi ? (float)(slopes[h] * (j - i)) : 0f);
                expected[b, .., (h * headDim)..((h + 1) * headDim)] = nn.functional.softmax(logits, 1).matmul(vh);
            }
        Assert.True(actual.allclose(expected, rtol: 1e-4, atol: 1e-5), $"max diff {(actual - expected).abs().max().item<float>()}");
    }

    [Fact]
    public void The_alibi_bias_is_built_once_per_sequence_length_not_on_every_call()
    {
        using var attention = Build(Parameterization.SuPar, 32, 8, alibi: true);
        using var scope = NewDisposeScope();
        var x = randn(2, 6, 32);
        attention.call(x, x, x);
        var first = attention.CachedAlibiBias;
        attention.call(x, x, x);
        Assert.NotNull(first);
        Assert.Same(first, attention.CachedAlibiBias);

        var longer = randn(2, 9, 32);
        attention.call(longer, longer, longer);
        Assert.NotSame(first, attention.CachedAlibiBias);
        Assert.Equal(9, attention.CachedAlibiBias!.shape[1]);
    }

    [Fact]
    public void Alibi_slopes_are_the_papers_geometric_sequence()
    {
        Assert.Equal([0.5, 0.25, 0.125, 0.0625, 1.0 / 32, 1.0 / 64, 1.0 / 128, 1.0 / 256], ScaledAttention.AlibiSlopes(8));
        // Not a power of two: the 4-head sequence, then every other slope of the 8-head one.
        Assert.Equal([1.0 / 4, 1.0 / 16, 1.0 / 64, 1.0 / 256, 0.5, 0.125], ScaledAttention.AlibiSlopes(6));
    }
}
