using SparseDsl;
using static TorchSharp.torch;

namespace SparseDsl.Experiments.Gpt;

/// <summary>
/// A pre-norm transformer layer: <c>x + Attn(LN x)</c>, then <c>x + MLP(LN x)</c>, each branch added through
/// <see cref="Residual.Add"/> so a depth rule multiplies it by m_L^(−α) (docs/depth.md).
/// </summary>
[Block]
public sealed partial class TransformerBlock : ITransformerLayer
{
    /// <summary>LayerNorm before attention.</summary>
    [Norm]
    public partial ScaledNorm AttentionNorm { get; }

    /// <summary>The attention sub-block.</summary>
    [Block]
    public partial CausalSelfAttention Attention { get; }

    /// <summary>LayerNorm before the MLP.</summary>
    [Norm]
    public partial ScaledNorm MlpNorm { get; }

    /// <summary>The MLP sub-block.</summary>
    [Block]
    public partial SwiGluMlp Mlp { get; }

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
