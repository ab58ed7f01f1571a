using static TorchSharp.torch;

namespace SparseDsl;

/// <summary>
/// The im2col view of a 1-D or 2-D convolution with square kernels: its input as one row per output position holding
/// that position's receptive field (<c>[batch · positions, in · k(·k)]</c>), so that the convolution is a linear layer
/// over the flattened weight <c>[out, in · k(·k)]</c>, and the product back in the convolution's output layout.
/// </summary>
/// <remarks>
/// The columns come from <c>unfold</c> (im2col), in the order of the weight's row-major flattening (channel, then kernel
/// row, then kernel column), and autograd differentiates it (its adjoint is <c>fold</c>, col2im), so the input gradient
/// of the sparse product reaches the convolution's input without a backward pass of our own. A 1-D convolution is
/// unfolded as an image of height 1.
/// </remarks>
/// <param name="Dimensions">1 (sequences) or 2 (images).</param>
/// <param name="Kernel">The kernel size along each spatial dimension.</param>
/// <param name="Stride">The stride along each spatial dimension.</param>
/// <param name="Padding">The zero padding on each side of each spatial dimension.</param>
internal sealed record ConvPatches(int Dimensions, long Kernel, long Stride, long Padding)
{
    /// <summary>The patches of <paramref name="input"/> (<c>[batch, in, length]</c> or <c>[batch, in, height, width]</c>), contiguous <c>[batch · positions, in · k(·k)]</c>.</summary>
    public Tensor Columns(Tensor input)
    {
        using var scope = NewDisposeScope();
        var image = Dimensions == 1 ? input.unsqueeze(2) : input;
        var unfolded = Dimensions == 1
            ? nn.functional.unfold(image, (1, Kernel), padding: (0, Padding), stride: (1, Stride))
            : nn.functional.unfold(image, (Kernel, Kernel), padding: (Padding, Padding), stride: (Stride, Stride));
        // [batch, in·k·k, positions] → one row per output position.
        return unfolded.transpose(1, 2).reshape(-1, unfolded.shape[1]).MoveToOuterDisposeScope();
    }

    /// <summary>The product <c>[batch · positions, out]</c> of <see cref="Columns"/> of <paramref name="input"/> in the convolution's layout <c>[batch, out, …]</c>.</summary>
    public Tensor Output(Tensor product, Tensor input)
    {
        long batch = input.shape[0];
        long[] spatial = [.. input.shape.Skip(2).Select(OutputSize)];
        using var positionsFirst = product.view(batch, -1, product.shape[1]);
        using var channelsFirst = positionsFirst.transpose(1, 2);
        return channelsFirst.reshape([batch, product.shape[1], .. spatial]);
    }

    /// <summary>Output positions along one spatial dimension of <paramref name="size"/> inputs.</summary>
    public long OutputSize(long size) => (size + 2 * Padding - Kernel) / Stride + 1;
}
