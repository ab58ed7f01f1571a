using SparseDsl;
using SparseDsl.Experiments.Gpt;
using static TorchSharp.torch;

namespace SparseDsl.Experiments.Moe;

/// <summary>
/// The GPT of <see cref="GptLm"/> with a mixture of experts in place of each MLP: 8 sparse SwiGLU experts of hidden size
/// 2·width, top-2 routing. Each token uses 2 experts × 3 projections × width × 2·width = 12·width² MLP weights, what
/// GptLm's dense-MLP block uses (3 × width × 4·width), so the two have the same active parameter count (plus the
/// router's 8·width); the MoE holds 4× the MLP weights in total. Same embedding, ALiBi attention, tied readout and base
/// width 256; rules for the experts and the router: docs/moe.md.
/// </summary>
[Width(Base = 256, Vocab = 256)]
public sealed partial class MoeLm : ILanguageModel
{
    /// <summary>Token embedding, vocab (256 bytes by default; <see cref="ModelOptions.Vocabulary"/> sets another) → width, × α_input.</summary>
    [Embedding(Rows = "vocab")]
    public partial ScaledEmbedding Embed { get; }

    /// <summary>The transformer layers (depth 2 unless <see cref="ModelOptions.Depth"/> says otherwise).</summary>
    [Repeat(Depth = 2)]
    public partial TorchSharp.Modules.ModuleList<MoeTransformerBlock> Blocks { get; }

    /// <inheritdoc />
    public IReadOnlyList<ITransformerLayer> Layers => [.. Blocks];

    /// <summary>The final LayerNorm.</summary>
    [Norm]
    public partial ScaledNorm FinalNorm { get; }

    /// <summary>Next-token logits, tied to <see cref="Embed"/>.</summary>
    [Readout(Out = "vocab", TiedTo = nameof(Embed))]
    public partial ScaledLinear LmHead { get; }

    /// <summary>Maps <c>[batch, time]</c> token ids to <c>[batch, time, vocab]</c> logits.</summary>
    public override Tensor forward(Tensor ids) => LanguageModel.Forward(ids, Embed, Blocks, FinalNorm, LmHead);
}

/// <summary>
/// A pre-norm transformer layer: <c>x + Attn(LN x)</c>, then <c>x + Experts(LN x)</c>, each branch added through
/// <see cref="Residual.Add"/> so a depth rule multiplies it by m_L^(−α) (docs/depth.md).
/// </summary>
[Block]
public sealed partial class MoeTransformerBlock : ITransformerLayer
{
    /// <summary>LayerNorm before attention.</summary>
    [Norm]
    public partial ScaledNorm AttentionNorm { get; }

    /// <summary>The GPT's attention sub-block.</summary>
    [Block]
    public partial CausalSelfAttention Attention { get; }

    /// <summary>LayerNorm before the experts.</summary>
    [Norm]
    public partial ScaledNorm MlpNorm { get; }

    /// <summary>8 experts, each token routed to 2; the default balance loss (0.3, docs/moe.md), z-loss 0.001.</summary>
    [Experts(Count = 8, TopK = 2, ZLoss = 0.001)]
    public partial ExpertBank<ExpertMlp> Mlp { get; }

    nn.Module<Tensor, Tensor> ITransformerLayer.Attention => Attention;

    nn.Module<Tensor, Tensor> ITransformerLayer.Mlp => Mlp;

    /// <summary>Maps the residual stream <c>[batch, time, width]</c> to its next value.</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = Residual.Add(this, x, Attention.call(AttentionNorm.call(x)));
        return Residual.Add(this, h, Mlp.call(MlpNorm.call(h))).MoveToOuterDisposeScope();
    }
}

/// <summary>One expert: SwiGLU <c>Down(silu(Gate x) ⊙ Up x)</c> with a 2·width hidden layer, all three projections 87.5% sparse.</summary>
[Block]
public sealed partial class ExpertMlp
{
    /// <summary>Gate projection: width → 2·width.</summary>
    [SparseLinear(Sparsity = 0.875, Out = "2*width")]
    public partial ScaledLinear Gate { get; }

    /// <summary>Up projection: width → 2·width.</summary>
    [SparseLinear(Sparsity = 0.875, Out = "2*width")]
    public partial ScaledLinear Up { get; }

    /// <summary>Down projection: 2·width → width.</summary>
    [SparseLinear(Sparsity = 0.875, In = "2*width")]
    public partial ScaledLinear Down { get; }

    /// <summary>Maps the tokens routed to this expert, <c>[tokens, width]</c>, to <c>[tokens, width]</c>.</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var hidden = nn.functional.silu(Gate.call(x)) * Up.call(x);
        return Down.call(hidden).MoveToOuterDisposeScope();
    }
}
