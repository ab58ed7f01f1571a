using SparseDsl;
using static TorchSharp.torch;

namespace SparseDsl.Experiments.Vision;

/// <summary>
/// A pre-norm vision-transformer layer: <c>x + Out(Attn(Q, K, V of LN x))</c>, then <c>x + Down(gelu(Up(LN x)))</c>. Every
/// token attends to every other (no causal mask, no position bias: the model adds a learned position table). All six
/// projections are sparse (87.5% as declared; <see cref="ModelOptions.Sparsity"/> replaces it).
/// </summary>
[Block]
public sealed partial class VitBlock
{
    /// <summary>LayerNorm before attention.</summary>
    [Norm]
    public partial ScaledNorm AttentionNorm { get; }

    /// <summary>Query projection.</summary>
    [SparseLinear(Sparsity = 0.875)]
    public partial ScaledLinear Query { get; }

    /// <summary>Key projection.</summary>
    [SparseLinear(Sparsity = 0.875)]
    public partial ScaledLinear Key { get; }

    /// <summary>Value projection.</summary>
    [SparseLinear(Sparsity = 0.875)]
    public partial ScaledLinear Value { get; }

    /// <summary>Heads of 16 dimensions, bidirectional, positions from the model's table.</summary>
    [Attention(HeadDim = 16, Positions = PositionEncoding.None, Causal = false)]
    public partial ScaledAttention Attention { get; }

    /// <summary>Output projection back to the residual stream.</summary>
    [SparseLinear(Sparsity = 0.875)]
    public partial ScaledLinear Output { get; }

    /// <summary>LayerNorm before the MLP.</summary>
    [Norm]
    public partial ScaledNorm MlpNorm { get; }

    /// <summary>width → 4·width.</summary>
    [SparseLinear(Out = "4*width", Sparsity = 0.875)]
    public partial ScaledLinear Up { get; }

    /// <summary>4·width → width.</summary>
    [SparseLinear(In = "4*width", Sparsity = 0.875)]
    public partial ScaledLinear Down { get; }

    /// <summary>Maps tokens <c>[batch, tokens, width]</c> to their next value.</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var normed = AttentionNorm.call(x);
        var h = Residual.Add(this, x, Output.call(Attention.call(Query.call(normed), Key.call(normed), Value.call(normed))));
        h = Residual.Add(this, h, Down.call(nn.functional.gelu(Up.call(MlpNorm.call(h)))));
        return h.MoveToOuterDisposeScope();
    }
}
