using SparseDsl;
using static TorchSharp.torch;

namespace SparseDsl.Experiments.Gpt;

/// <summary>
/// Causal self-attention with ALiBi positions: sparse Q, K, V and output projections (width → width, the paper's
/// "all projection weights"), logits scaled by 1/d_head under μP and SμPar (1/√d_head under SP).
/// </summary>
/// <remarks>
/// Sparsity-accelerated over heads, declared at rate 0: every head trains unless a run asks for head omission
/// (<c>TrainerSettings.HeadAcceleration</c>; <c>train --sat-head-rate 0.5</c>), so the example's default training is
/// unchanged.
/// </remarks>
[Block]
[SparsityAccelerated(Heads = true, OmissionRate = 0)]
public sealed partial class CausalSelfAttention
{
    /// <summary>Query projection.</summary>
    [SparseLinear(Sparsity = 0.875)]
    public partial ScaledLinear Query { get; }

    /// <summary>Key projection.</summary>
    [SparseLinear(Sparsity = 0.875)]
    public partial ScaledLinear Key { get; }

    /// <summary>Value projection.</summary>
    [SparseLinear(Sparsity = 0.875)]
    public partial ScaledLinear Value { get; }

    /// <summary>Heads of d_head 32 (CPU scale; the paper uses 64), causal, ALiBi.</summary>
    [Attention(HeadDim = 32)]
    public partial ScaledAttention Attention { get; }

    /// <summary>Output projection back to the residual stream.</summary>
    [SparseLinear(Sparsity = 0.875)]
    public partial ScaledLinear Output { get; }

    /// <summary>Maps <c>[batch, time, width]</c> to <c>[batch, time, width]</c>.</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var context = Attention.call(Query.call(x), Key.call(x), Value.call(x));
        return Output.call(context).MoveToOuterDisposeScope();
    }
}
