using SparseDsl;
using static TorchSharp.torch;

namespace SparseDsl.Experiments.Llama;

/// <summary>
/// Llama-style causal self-attention: rotary positions (RoPE) and grouped-query heads, 4 query heads per key/value head.
/// The key and value projections write width/4 (a hidden layer: width → width/4, fan-in width), so at width 256 there
/// are 8 query heads of 32 and 2 key/value heads. Every projection is sparse. Logits are scaled by 1/d_head under μP and
/// SμPar (1/√d_head under SP).
/// </summary>
/// <remarks>
/// Sparsity-accelerated over heads, declared at rate 0: every head trains unless a run asks for head omission
/// (<c>TrainerSettings.HeadAcceleration</c>; <c>train --sat-head-rate 0.5</c>), so the example's default training is
/// unchanged.
/// </remarks>
[Block]
[SparsityAccelerated(Heads = true, OmissionRate = 0)]
public sealed partial class GroupedQueryAttention
{
    /// <summary>Query projection: width → width.</summary>
    [SparseLinear(Sparsity = 0.875)]
    public partial ScaledLinear Query { get; }

    /// <summary>Key projection: width → width/4 (one key head per 4 query heads).</summary>
    [SparseLinear(Out = "width/4", Sparsity = 0.875)]
    public partial ScaledLinear Key { get; }

    /// <summary>Value projection: width → width/4.</summary>
    [SparseLinear(Out = "width/4", Sparsity = 0.875)]
    public partial ScaledLinear Value { get; }

    /// <summary>Heads of d_head 32, causal, rotary positions, key/value heads shared by groups of 4 query heads.</summary>
    [Attention(HeadDim = 32, Positions = PositionEncoding.Rope, KeyValueDim = "width/4")]
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
