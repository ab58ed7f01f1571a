using static TorchSharp.torch;
using static TorchSharp.torch.autograd;

namespace SparseDsl;

/// <summary>
/// The autograd function behind <see cref="BlockRecompute"/>: its forward runs the block with gradients off and saves only
/// the input (and torch's CPU generator state); its backward runs the block again with gradients on from a detached copy
/// of the input, back-propagates the output's gradient through that graph (which accumulates the block's parameter
/// gradients, as the plain path would) and returns the input's gradient.
/// </summary>
/// <remarks>Arguments to <c>apply</c>: the input tensor and the block.</remarks>
internal sealed class RecomputedBlockFunction : SingleTensorFunction<RecomputedBlockFunction>
{
    public override string Name => "RecomputedBlock";

    public override Tensor forward(AutogradContext ctx, params object[] vars)
    {
        var input = (Tensor)vars[0];
        var block = (nn.Module<Tensor, Tensor>)vars[1];
        ctx.save_for_backward([input]);
        ctx.save_data("block", block);
        ctx.save_data("rng", RngState.Capture());
        using var noGrad = no_grad();
        return block.call(input);
    }

    public override List<Tensor> backward(AutogradContext ctx, Tensor gradOutput)
    {
        var saved = ctx.get_saved_variables();
        var block = (nn.Module<Tensor, Tensor>)ctx.get_data("block");
        var firstRng = (byte[])ctx.get_data("rng");
        Tensor gradInput;
        try
        {
            using var scope = NewDisposeScope();
            using var gradOn = enable_grad();
            var input = saved[0].detach().requires_grad_(true);
            byte[] now = RngState.Capture();
            RngState.Restore(firstRng);
            Tensor output;
            try
            {
                output = block.call(input);
            }
            finally
            {
                RngState.Restore(now);
            }
            // Re-entrant: the engine runs this inner graph to its leaves (the block's parameters and the detached input).
            output.backward([gradOutput]);
            gradInput = input.grad is { } grad ? grad.detach().MoveToOuterDisposeScope() : zeros_like(saved[0]).MoveToOuterDisposeScope();
        }
        finally
        {
            // The saved input comes back as a new handle; left to the finalizer it would keep an activation resident.
            foreach (var tensor in saved) tensor.Dispose();
        }
        // One gradient per argument of apply: none for the block.
        return [gradInput, null!];
    }
}
