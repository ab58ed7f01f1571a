using static TorchSharp.torch;

namespace SparseDsl.Tests.Kinds;

/// <summary>
/// Rotary positions, grouped-query attention and QK-norm against attention written out head by head, and their
/// Table-1 logits: 1/d_head under μP and SμPar, 1/√d_head under SP, whatever the positions.
/// </summary>
public class RopeGqaAttentionTests
{
    private const int Dim = 32, HeadDim = 8, Heads = 4, KeyValueHeads = 2, Time = 6;

    private static ScaledAttention Build(Parameterization p, bool qkNorm, PositionEncoding positions = PositionEncoding.Rope, double theta = 10000)
    {
        var declaration = new LayerDeclaration("attention", new AttentionAttribute
        {
            HeadDim = HeadDim, KeyValueDim = "width/2", Positions = positions, RopeTheta = theta, QkNorm = qkNorm,
        });
        var plan = ModelPlan.Create("M", [declaration], 16, Dim, new ModelOptions { Parameterization = p });
        return new ScaledAttention(plan["attention"], seed: 3);
    }

    // The half-split rotation of one head's [time, d] block, written with explicit angles.
    private static Tensor Rotate(Tensor x, double theta)
    {
        var rotated = x.clone();
        int half = HeadDim / 2;
        for (int t = 0; t < Time; t++)
            for (int i = 0; i < half; i++)
            {
                double angle = t * Math.Pow(theta, -2.0 * i / HeadDim), cos = Math.Cos(angle), sin = Math.Sin(angle);
                float a = x[t, i].item<float>(), b = x[t, i + half].item<float>();
                rotated[t, i] = (float)(a * cos - b * sin);
                rotated[t, i + half] = (float)(b * cos + a * sin);
            }
        return rotated;
    }

    private static Tensor RmsNorm(Tensor x, Tensor gain) => x / (x.square().mean([-1], keepdim: true) + 1e-5).sqrt() * gain;

    [Theory]
    [InlineData(Parameterization.SuPar, false)]
    [InlineData(Parameterization.Standard, true)]
    [InlineData(Parameterization.MuP, true)]
    public void Rope_gqa_and_qk_norm_match_attention_written_out(Parameterization p, bool qkNorm)
    {
        const double theta = 100; // a small base turns the angles fast, so a wrong rotation cannot hide
        using var attention = Build(p, qkNorm, theta: theta);
        Assert.Equal(Heads, attention.Heads);
        Assert.Equal(KeyValueHeads, attention.KeyValueHeads);
        double scale = p == Parameterization.Standard ? 1 / Math.Sqrt(HeadDim) : 1.0 / HeadDim;
        Assert.Equal(scale, attention.LogitScale, 12);

        using var scope = NewDisposeScope();
        manual_seed(4);
        if (qkNorm)
            using (no_grad())
            {
                // Gains other than one, so that using them (and on the right side) matters.
                attention.named_parameters().Single(n => n.name == "query_norm").parameter.copy_(rand(HeadDim) + 0.5);
                attention.named_parameters().Single(n => n.name == "key_norm").parameter.copy_(rand(HeadDim) + 0.5);
            }
        var q = randn(2, Time, Dim); var k = randn(2, Time, Dim / 2); var v = randn(2, Time, Dim / 2);
        var actual = attention.call(q, k, v);

        var queryGain = attention.named_parameters().FirstOrDefault(n => n.name == "query_norm").parameter;
        var keyGain = attention.named_parameters().FirstOrDefault(n => n.name == "key_norm").parameter;
        var expected = zeros(2, Time, Dim);
        using var _ = no_grad();
        for (int b = 0; b < 2; b++)
            for (int h = 0; h < Heads; h++)
            {
                int g = h / (Heads / KeyValueHeads); // consecutive query heads share a key/value head
                var qh = q[b, .., (h * HeadDim)..((h + 1) * HeadDim)];
                var kh = k[b, .., (g * HeadDim)..((g + 1) * HeadDim)];
                var vh = v[b, .., (g * HeadDim)..((g + 1) * HeadDim)];
                if (qkNorm) { qh = RmsNorm(qh, queryGain!); kh = RmsNorm(kh, keyGain!); }
                var logits = Rotate(qh, theta).matmul(Rotate(kh, theta).t()) * scale;
                logits = logits.masked_fill(ones(Time, Time, ScalarType.Bool).triu(1), float.NegativeInfinity);
                expected[b, .., (h * HeadDim)..((h + 1) * HeadDim)] = nn.functional.softmax(logits, 1).matmul(vh);
            }
        Assert.True(actual.allclose(expected, rtol: 1e-4, atol: 1e-5), $"max diff {(actual - expected).abs().max().item<float>()}");
    }

    [Fact]
    public void Describe_lists_the_qk_norm_gains_as_norms_and_the_heads_as_groups()
    {
        using var attention = Build(Parameterization.SuPar, qkNorm: true);
        var plan = attention.Plan;
        Assert.Equal(ParameterRole.Norm, plan.Parameter("query_norm").Scaling.Role);
        Assert.Equal([(long)HeadDim], plan.Parameter("key_norm").Shape);
        Assert.Equal(new AttentionDescription("attention", Heads, KeyValueHeads, HeadDim, 1.0 / HeadDim, PositionEncoding.Rope, true), plan.Attention);
        var json = ModelPlan.Create("M", [new LayerDeclaration("attention", (AttentionAttribute)plan.Attribute)], 16, Dim).DescribeJson();
        Assert.Contains("\"keyValueHeads\": 2", json);
        Assert.Contains("\"positions\": \"Rope\"", json);
    }

    [Theory]
    [InlineData(32, "width/8", "must be a whole number of heads")] // 4 coordinates: half a head
    [InlineData(48, "2*width/3", "divides the 6 query heads")]    // 4 key/value heads for 6 query heads
    public void Key_value_heads_that_do_not_divide_the_query_heads_are_refused(int width, string keyValueDim, string message)
    {
        var declaration = new LayerDeclaration("attention", new AttentionAttribute { HeadDim = HeadDim, KeyValueDim = keyValueDim });
        var e = Assert.ThrowsAny<ArgumentException>(() => ModelPlan.Create("M", [declaration], 16, width));
        Assert.Contains(message, e.Message);
    }
}
