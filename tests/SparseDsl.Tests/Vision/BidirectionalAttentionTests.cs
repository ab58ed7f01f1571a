using static TorchSharp.torch;

namespace SparseDsl.Tests.Vision;

/// <summary>Attention layers with and without the causal mask, side by side; the tests call them one by one.</summary>
[Width(Base = 16)]
public sealed partial class TinyAttentionPair
{
    [Linear(In = "4")]
    public partial ScaledLinear Input { get; }

    [Attention(HeadDim = 8, Positions = PositionEncoding.None, Causal = false)]
    public partial ScaledAttention Encoder { get; }

    [Attention(HeadDim = 8, Positions = PositionEncoding.None)]
    public partial ScaledAttention Decoder { get; }

    [Attention(HeadDim = 8, Causal = false)]
    public partial ScaledAttention AlibiEncoder { get; }

    [Attention(HeadDim = 8)]
    public partial ScaledAttention AlibiDecoder { get; }

    [Readout(Out = "4")]
    public partial ScaledLinear Head { get; }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = Input.call(x);
        return Head.call(Encoder.call(h, h, h)).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// <c>[Attention(Causal = false)]</c>, the attention a vision transformer needs: every position attends to every other,
/// checked against attention written out head by head; the default stays causal.
/// </summary>
public sealed class BidirectionalAttentionTests
{
    private const int Time = 5, Width = 16, HeadDim = 8;

    // softmax(q·kᵀ·scale + bias)·v per head, with bias[h, i, j] = −slope_h·|i − j| and −∞ above the diagonal when causal.
    private static Tensor Reference(Tensor q, Tensor k, Tensor v, double scale, double[] slopes, bool causal)
    {
        var heads = new List<Tensor>();
        for (int h = 0; h < Width / HeadDim; h++)
        {
            var qh = q[.., .., TensorIndex.Slice(h * HeadDim, (h + 1) * HeadDim)];
            var kh = k[.., .., TensorIndex.Slice(h * HeadDim, (h + 1) * HeadDim)];
            var vh = v[.., .., TensorIndex.Slice(h * HeadDim, (h + 1) * HeadDim)];
            var logits = qh.matmul(kh.transpose(1, 2)).mul(scale);
            var bias = zeros(Time, Time);
            for (int i = 0; i < Time; i++)
                for (int j = 0; j < Time; j++)
                    bias[i, j] = causal && j > i ? float.NegativeInfinity : (float)(-(slopes.Length == 0 ? 0 : slopes[h]) * Math.Abs(i - j));
            heads.Add(logits.add(bias).softmax(-1).matmul(vh));
        }
        return cat(heads, -1);
    }

    [Theory]
    [InlineData(Parameterization.SuPar)]
    [InlineData(Parameterization.Standard)]
    public void Each_layer_matches_attention_written_out_with_or_without_the_mask(Parameterization parameterization)
    {
        using var scope = NewDisposeScope();
        using var model = new TinyAttentionPair(Width, options: new ModelOptions { Parameterization = parameterization });
        var generator = new Generator(7);
        var (q, k, v) = (randn([2, Time, Width], generator: generator), randn([2, Time, Width], generator: generator), randn([2, Time, Width], generator: generator));
        double[] slopes = ScaledAttention.AlibiSlopes(Width / HeadDim);
        foreach (var (layer, alibi, causal) in new[] { (model.Encoder, false, false), (model.Decoder, false, true), (model.AlibiEncoder, true, false), (model.AlibiDecoder, true, true) })
        {
            var expected = Reference(q, k, v, layer.LogitScale, alibi ? slopes : [], causal);
            var actual = layer.call(q, k, v);
            Assert.True(actual.allclose(expected, rtol: 1e-4, atol: 1e-5), $"{layer.Plan.Name}: max difference {(actual - expected).abs().max().item<float>()}");
        }
    }

    [Fact]
    public void Without_the_mask_the_first_position_sees_the_last_and_with_it_it_does_not()
    {
        using var scope = NewDisposeScope();
        using var model = new TinyAttentionPair(Width);
        var generator = new Generator(11);
        var (q, k, v) = (randn([1, Time, Width], generator: generator), randn([1, Time, Width], generator: generator), randn([1, Time, Width], generator: generator));
        var changed = v.clone();
        changed[0, Time - 1] = changed[0, Time - 1] + 10;
        foreach (var (layer, causal) in new[] { (model.Encoder, false), (model.Decoder, true), (model.AlibiEncoder, false), (model.AlibiDecoder, true) })
        {
            var first = layer.call(q, k, v)[0, 0];
            var moved = layer.call(q, k, changed)[0, 0];
            Assert.Equal(causal, first.eq(moved).all().item<bool>());
        }
    }

    [Fact]
    public void Attention_is_causal_unless_declared_otherwise() => Assert.True(new AttentionAttribute().Causal);
}
