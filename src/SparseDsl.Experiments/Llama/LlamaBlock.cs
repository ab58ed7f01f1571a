using SparseDsl;
using SparseDsl.Experiments.Gpt;
using static TorchSharp.torch;

namespace SparseDsl.Experiments.Llama;

/// <summary>
/// A Llama layer: pre-norm with RMSNorm, <c>x + Attn(RMS x)</c>, then <c>x + SwiGLU(RMS x)</c>, each branch added
/// through <see cref="Residual.Add"/> so a depth rule multiplies it by m_L^(−α).
/// </summary>
[Block]
public sealed partial class LlamaBlock : ITransformerLayer
{
    /// <summary>RMSNorm before attention (a gain, no bias).</summary>
    [Norm(Kind = NormKind.RmsNorm)]
    public partial ScaledNorm AttentionNorm { get; }

    /// <summary>The RoPE, grouped-query attention sub-block.</summary>
    [Block]
    public partial GroupedQueryAttention Attention { get; }

    /// <summary>RMSNorm before the MLP.</summary>
    [Norm(Kind = NormKind.RmsNorm)]
    public partial ScaledNorm MlpNorm { get; }

    /// <summary>The SwiGLU MLP sub-block (the GPT's, 4·width hidden, sparse, sparsity-accelerated).</summary>
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
