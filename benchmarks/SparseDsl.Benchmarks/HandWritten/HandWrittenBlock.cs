using SparseDsl.Experiments.Gpt;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SparseDsl.Benchmarks.HandWritten;

/// <summary>
/// One pre-norm block of <see cref="HandWrittenGpt"/>: ALiBi attention and a SwiGLU MLP, each projection
/// <c>m · x (W ⊙ M)ᵀ</c> with its mask and multiplier held as plain fields.
/// </summary>
public sealed class HandWrittenBlock : Module<Tensor, Tensor>
{
    private readonly Parameter attentionNorm, mlpNorm, query, key, value, output, gate, up, down;
    private readonly Tensor queryMask, keyMask, valueMask, outputMask, gateMask, upMask, downMask;
    private readonly double queryMultiplier, keyMultiplier, valueMultiplier, outputMultiplier, gateMultiplier, upMultiplier, downMultiplier;
    private readonly double queryScale;
    private readonly long width, heads, headDim;
    private readonly double[] slopes;
    private Tensor? alibi;

    /// <summary>Copies one generated <see cref="TransformerBlock"/>.</summary>
    public HandWrittenBlock(string name, TransformerBlock source) : base(name)
    {
        var attention = source.Attention;
        var mlp = source.Mlp;
        width = attention.Query.Plan.InFeatures;
        headDim = attention.Attention.Plan.Attention!.HeadDim;
        heads = width / headDim;
        queryScale = attention.Attention.LogitScale * Math.Sqrt(headDim); // SDPA divides by √d_head
        slopes = ScaledAttention.AlibiSlopes((int)heads);
        attentionNorm = Copy(source.AttentionNorm.Weight);
        mlpNorm = Copy(source.MlpNorm.Weight);
        (query, queryMask, queryMultiplier) = Copy(attention.Query);
        (key, keyMask, keyMultiplier) = Copy(attention.Key);
        (value, valueMask, valueMultiplier) = Copy(attention.Value);
        (output, outputMask, outputMultiplier) = Copy(attention.Output);
        (gate, gateMask, gateMultiplier) = Copy(mlp.Gate);
        (up, upMask, upMultiplier) = Copy(mlp.Up);
        (down, downMask, downMultiplier) = Copy(mlp.Down);
        RegisterComponents();
    }

    /// <summary>The parameters under the generated model's state-dict names (relative to the block).</summary>
    public IEnumerable<(string Name, Parameter Parameter)> Named() =>
    [
        ("attention_norm.weight", attentionNorm), ("attention.query.weight", query), ("attention.key.weight", key),
        ("attention.value.weight", value), ("attention.output.weight", output), ("mlp_norm.weight", mlpNorm),
        ("mlp.gate.weight", gate), ("mlp.up.weight", up), ("mlp.down.weight", down),
    ];

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        long batch = x.shape[0], time = x.shape[1];
        var a = functional.layer_norm(x, [width], attentionNorm, null, 1e-5);
        var q = Project(a, query, queryMask, queryMultiplier).view(batch, time, heads, headDim).transpose(1, 2).mul(queryScale);
        var k = Project(a, key, keyMask, keyMultiplier).view(batch, time, heads, headDim).transpose(1, 2);
        var v = Project(a, value, valueMask, valueMultiplier).view(batch, time, heads, headDim).transpose(1, 2);
        var context = functional.scaled_dot_product_attention(q, k, v, Alibi(time, x.device)).transpose(1, 2).reshape(batch, time, width);
        var h = x + Project(context, output, outputMask, outputMultiplier);
        var m = functional.layer_norm(h, [width], mlpNorm, null, 1e-5);
        var hidden = functional.silu(Project(m, gate, gateMask, gateMultiplier)) * Project(m, up, upMask, upMultiplier);
        return (h + Project(hidden, down, downMask, downMultiplier)).MoveToOuterDisposeScope();
    }

    private static Tensor Project(Tensor x, Tensor weight, Tensor mask, double multiplier) =>
        functional.linear(x, weight * mask).mul_(multiplier);

    private Tensor Alibi(long time, Device device)
    {
        if (alibi is { } cached && cached.shape[1] == time) return cached;
        alibi?.Dispose();
        using var scope = NewDisposeScope();
        var positions = arange(time, ScalarType.Float32);
        var distance = positions.unsqueeze(0) - positions.unsqueeze(1);
        var bias = tensor(slopes.Select(s => (float)s).ToArray()).view(-1, 1, 1) * distance.unsqueeze(0);
        alibi = bias.masked_fill(ones(time, time, ScalarType.Bool).triu(1).unsqueeze(0), float.NegativeInfinity).to(device).DetachFromDisposeScope();
        return alibi;
    }

    private static Parameter Copy(Parameter p) => new(p.detach().clone());

    private static (Parameter, Tensor, double) Copy(ScaledLinear layer) =>
        (Copy(layer.Weight), layer.Mask?.clone() ?? throw new ArgumentException($"'{layer.Plan.Name}' is dense; the hand-written model expects every projection masked."), layer.ForwardMultiplier);

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) alibi?.Dispose();
        base.Dispose(disposing);
    }
}
