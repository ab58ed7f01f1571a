using SparseDsl;
using static TorchSharp.torch;

namespace SparseDsl.Experiments.Gpt;

/// <summary>
/// SwiGLU feed-forward block (Shazeer 2020; the paper's MLP): <c>Down(silu(Gate x) ⊙ Up x)</c> with a 4·width hidden
/// layer and all three projections sparse. Down's fan-in is 4·width, so its m_d is (4·width)/(4·base) = width/base.
/// Sparsity-accelerated: while training, Gate/Up keep only their important rows and Down the matching columns
/// (<c>train --sat false</c> trains it dense).
/// </summary>
[Block]
[SparsityAccelerated]
public sealed partial class SwiGluMlp
{
    /// <summary>Gate projection: width → 4·width.</summary>
    [SparseLinear(Sparsity = 0.875, Out = "4*width")]
    public partial ScaledLinear Gate { get; }

    /// <summary>Up projection: width → 4·width.</summary>
    [SparseLinear(Sparsity = 0.875, Out = "4*width")]
    public partial ScaledLinear Up { get; }

    /// <summary>Down projection: 4·width → width.</summary>
    [SparseLinear(Sparsity = 0.875, In = "4*width")]
    public partial ScaledLinear Down { get; }

    /// <summary>Maps <c>[batch, time, width]</c> to <c>[batch, time, width]</c>.</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var hidden = nn.functional.silu(Gate.call(x)) * Up.call(x);
        return Down.call(hidden).MoveToOuterDisposeScope();
    }
}
