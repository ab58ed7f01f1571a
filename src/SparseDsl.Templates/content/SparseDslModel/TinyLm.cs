using SparseDsl;
using TorchSharp;

namespace SparseDslModel;

/// <summary>
/// A one-block byte-level transformer declared with SparseDsl. The generator adds the constructor, the SμPar
/// initialisation, sparsity masks, forward multipliers and learning-rate groups, <c>CreateTrainer</c> and
/// <c>Describe()</c>. Hyperparameters tuned at <c>Base</c> width carry over to wider and sparser instances.
/// </summary>
[Width(Base = 64)]
public sealed partial class TinyLm
{
    [Embedding(Vocab = 256)]
    public partial ScaledEmbedding Embed { get; }

    [Norm]
    public partial ScaledNorm AttentionNorm { get; }

    // Three quarters of each projection's weights are masked to zero; SμPar rescales init and LR for that density.
    [SparseLinear(Sparsity = 0.75)]
    public partial ScaledLinear Query { get; }

    [SparseLinear(Sparsity = 0.75)]
    public partial ScaledLinear Key { get; }

    [SparseLinear(Sparsity = 0.75)]
    public partial ScaledLinear Value { get; }

    [Attention(HeadDim = 32)]                     // causal, ALiBi positions, μP's 1/d_head logit scale
    public partial ScaledAttention Attention { get; }

    [SparseLinear(Sparsity = 0.75)]
    public partial ScaledLinear Output { get; }

    [Norm]
    public partial ScaledNorm MlpNorm { get; }

    [SparseLinear(Sparsity = 0.75, Out = "4*width")]
    public partial ScaledLinear Up { get; }

    [SparseLinear(Sparsity = 0.75, In = "4*width")]
    public partial ScaledLinear Down { get; }

    [Norm]
    public partial ScaledNorm FinalNorm { get; }

    [Readout(Out = "256", TiedTo = nameof(Embed))]
    public partial ScaledLinear Head { get; }

    /// <summary>Maps byte ids <c>[batch, time]</c> to next-byte logits <c>[batch, time, 256]</c>.</summary>
    public override torch.Tensor forward(torch.Tensor ids)
    {
        using var scope = torch.NewDisposeScope();
        var h = Embed.call(ids);
        var a = AttentionNorm.call(h);
        h = h + Output.call(Attention.call(Query.call(a), Key.call(a), Value.call(a)));
        h = h + Down.call(torch.nn.functional.gelu(Up.call(MlpNorm.call(h))));
        return Head.call(FinalNorm.call(h)).MoveToOuterDisposeScope();
    }
}
