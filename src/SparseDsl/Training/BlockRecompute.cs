using System.Runtime.CompilerServices;
using static TorchSharp.torch;

namespace SparseDsl;

/// <summary>
/// Activation recomputation for the blocks of a residual stack (<see cref="ModelOptions.RecomputeBlocks"/>): a block run
/// through <see cref="Call{TBlock}"/> keeps only its input for the backward pass, and its forward runs again, with
/// gradients on, when the backward pass reaches it. A step's activations then cost one block's worth plus every block's
/// input, instead of every block's worth, for about one more forward pass of compute.
/// </summary>
/// <remarks>
/// The recomputed forward runs the same operations on the same input as the first, and torch's CPU generator is put back
/// where it was for the first, so a block that draws random numbers (dropout) draws the same ones: the gradients are the
/// plain forward's. A model's forward opts in by calling <see cref="Call{TBlock}"/> where it would call
/// <c>block.call(x)</c>; the <see cref="Trainer{TModel}"/> refuses a model whose plan asks for recomputation but whose
/// forward never recomputed a block, so the option cannot silently do nothing.
/// </remarks>
public static class BlockRecompute
{
    // Blocks that ran through the recomputing path at least once (weakly held: a disposed model leaves no trace).
    private static readonly ConditionalWeakTable<nn.Module, object> Recomputed = [];

    /// <summary>
    /// <paramref name="block"/>'s output on <paramref name="input"/>: recomputed in the backward pass when the block's plan
    /// asks for it (<see cref="ModelOptions.RecomputeBlocks"/>) and the call is recorded for a backward pass (gradients on,
    /// and an input that requires its gradient); a plain <c>block.call(input)</c> otherwise.
    /// </summary>
    /// <exception cref="ArgumentNullException">The block or the input is null.</exception>
    public static Tensor Call<TBlock>(TBlock block, Tensor input) where TBlock : nn.Module<Tensor, Tensor>
    {
        ArgumentNullException.ThrowIfNull(block);
        ArgumentNullException.ThrowIfNull(input);
        if (!AsksForRecompute(block) || !is_grad_enabled() || !input.requires_grad) return block.call(input);
        Recomputed.AddOrUpdate(block, Recomputed);
        return RecomputedBlockFunction.apply(input, block);
    }

    /// <summary>Whether <paramref name="model"/> asks for recomputation (<see cref="ModelOptions.RecomputeBlocks"/> in its plan).</summary>
    public static bool AsksForRecompute(nn.Module model) =>
        model is IScaledModel { Plan.Options.RecomputeBlocks: true } || model is IScaledBlock { Plan.Options.RecomputeBlocks: true };

    /// <summary>Whether any module of <paramref name="model"/> has run through the recomputing path of <see cref="Call{TBlock}"/>.</summary>
    public static bool HasRecomputed(nn.Module model) => model.modules().Any(m => Recomputed.TryGetValue(m, out _));
}
