using static TorchSharp.torch;
using static TorchSharp.torch.autograd;

namespace SparseDsl;

/// <summary>
/// <c>y = x·Wᵀ</c> for a weight stored as its kept values, as a custom autograd function: the forward and the input
/// gradient are sparse × dense products over the pattern and its transpose, and the weight gradient is computed only at
/// the kept positions (SDDMM), so a masked position has no gradient, no optimizer moment and no value to drift.
/// </summary>
/// <remarks>
/// Arguments to <c>apply</c>: the input <c>[tokens, in]</c> (or <c>[tokens, kept]</c> under a column selection), the
/// values <c>[count]</c>, the <see cref="SparsePattern"/> and an optional <see cref="SparseSelection"/>. The input is
/// saved as it is (autograd usually holds it anyway) and transposed again in the backward pass.
/// </remarks>
internal sealed class SparseLinearFunction : SingleTensorFunction<SparseLinearFunction>
{
    public override string Name => "SparseLinear";

    public override Tensor forward(AutogradContext ctx, params object[] vars)
    {
        var input = (Tensor)vars[0];
        var values = (Tensor)vars[1];
        var pattern = (SparsePattern)vars[2];
        var selection = vars.Length > 3 ? vars[3] as SparseSelection : null;
        ctx.save_for_backward([input, values]);
        ctx.save_data("pattern", pattern);
        ctx.save_data("arguments", vars.Length);
        if (selection is not null) ctx.save_data("selection", selection);
        return SparseProducts.Forward(input, values, pattern, selection);
    }

    public override List<Tensor> backward(AutogradContext ctx, Tensor gradOutput)
    {
        var saved = ctx.get_saved_variables();
        var input = saved[0];
        var values = saved[1];
        var pattern = (SparsePattern)ctx.get_data("pattern");
        var selection = ctx.get_data("selection") as SparseSelection;
        var (gradInput, gradValues) = SparseProducts.Backward(gradOutput, input, values, pattern, selection);
        // The saved variables come back as new handles; left to the finalizer they would keep every layer's input
        // (an activation) resident until a GC.
        foreach (var tensor in saved) tensor.Dispose();
        // One gradient per argument of apply: none for the pattern and the selection.
        var gradients = new List<Tensor> { gradInput, gradValues };
        for (int i = 2; i < (int)ctx.get_data("arguments"); i++) gradients.Add(null!);
        return gradients;
    }
}
