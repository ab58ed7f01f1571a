using static TorchSharp.torch;

namespace SparseDsl.Tests.SmallModels;

/// <summary>
/// A byte-level LM declared in the tests, so the trainer, checkpoint and override tests test the library rather than the
/// example: a 256-byte embedding, repeated pre-norm blocks (sparse SAT attention over heads, a sparse SAT MLP, RMSNorms),
/// a final LayerNorm with a bias, and a readout tied to the embedding. Base width 16, so width 32 has m_d = 2.
/// </summary>
[Width(Base = 16)]
public sealed partial class TinyByteLm
{
    /// <summary>The vocabulary: bytes.</summary>
    public const int Vocab = 256;

    [Embedding(Vocab = Vocab)]
    public partial ScaledEmbedding Embed { get; }

    [Repeat(Depth = 2)]
    public partial TorchSharp.Modules.ModuleList<TinyBlock> Blocks { get; }

    [Norm(Bias = true)]
    public partial ScaledNorm FinalNorm { get; }

    [Readout(Out = "256", TiedTo = nameof(Embed))]
    public partial ScaledLinear Head { get; }

    /// <summary>Maps <c>[batch, time]</c> byte ids to <c>[batch, time, 256]</c> logits.</summary>
    public override Tensor forward(Tensor ids)
    {
        using var scope = NewDisposeScope();
        var h = Embed.call(ids);
        foreach (var block in Blocks) h = BlockRecompute.Call(block, h); // recomputed under ModelOptions.RecomputeBlocks
        return Head.call(FinalNorm.call(h)).MoveToOuterDisposeScope();
    }
}

/// <summary>A pre-norm layer of <see cref="TinyByteLm"/>: <c>x + Attn(RMS x)</c>, then <c>x + MLP(RMS x)</c>.</summary>
[Block]
public sealed partial class TinyBlock
{
    [Norm(Kind = NormKind.RmsNorm)]
    public partial ScaledNorm AttentionNorm { get; }

    [Block]
    public partial TinyAttention Attention { get; }

    [Norm(Kind = NormKind.RmsNorm)]
    public partial ScaledNorm MlpNorm { get; }

    [Block]
    public partial TinyMlp Mlp { get; }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = Residual.Add(this, x, Attention.call(AttentionNorm.call(x)));
        return Residual.Add(this, h, Mlp.call(MlpNorm.call(h))).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// Causal ALiBi attention with heads of 8 and sparse Q, K, V and output projections; sparsity-accelerated over heads
/// with sampled selection, so the trainer tests (exact resume among them) run seeded head draws too.
/// </summary>
[Block]
[SparsityAccelerated(Heads = true, Selection = NeuronSelection.Sample)]
public sealed partial class TinyAttention
{
    [SparseLinear(Sparsity = 0.875)]
    public partial ScaledLinear Query { get; }

    [SparseLinear(Sparsity = 0.875)]
    public partial ScaledLinear Key { get; }

    [SparseLinear(Sparsity = 0.875)]
    public partial ScaledLinear Value { get; }

    [Attention(HeadDim = 8)]
    public partial ScaledAttention Attention { get; }

    [SparseLinear(Sparsity = 0.875)]
    public partial ScaledLinear Output { get; }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return Output.call(Attention.call(Query.call(x), Key.call(x), Value.call(x))).MoveToOuterDisposeScope();
    }
}

/// <summary>A GELU MLP with a 2·width hidden layer, both projections sparse and sparsity-accelerated (SAT).</summary>
[Block]
[SparsityAccelerated]
public sealed partial class TinyMlp
{
    [SparseLinear(Sparsity = 0.875, Out = "2*width")]
    public partial ScaledLinear Up { get; }

    [SparseLinear(Sparsity = 0.875, In = "2*width")]
    public partial ScaledLinear Down { get; }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return Down.call(nn.functional.gelu(Up.call(x))).MoveToOuterDisposeScope();
    }
}
