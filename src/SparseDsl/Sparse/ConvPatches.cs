using static TorchSharp.torch;

namespace SparseDsl;

/// <summary>
/// The im2col view of a 1-D or 2-D convolution with square kernels: its input as one row per output position holding
/// that position's receptive field (<c>[batch · positions, in · k(·k)]</c>), so that the convolution is a linear layer
/// over the flattened weight <c>[out, in · k(·k)]</c>, and the product back in the convolution's output layout.
/// </summary>
/// <remarks>
/// The columns are strided windows of the zero-padded input (<c>Tensor.unfold</c> along each spatial dimension, a view),
/// copied once into rows in the order of the weight's row-major flattening (channel, then kernel row, then kernel
/// column). Autograd differentiates the view and the copy, and their adjoint adds each column's gradient back into the
/// input (col2im), so the input gradient of the sparse product reaches the convolution's input without a backward pass
/// of our own. libtorch's <c>nn.functional.unfold</c> (im2col) gives the same columns in the transposed layout, and with
/// the transpose they need it measured about 2× slower (a [64, 512, 7, 7] input into [3136, 4608] rows: 221–266 ms
/// against 115–137 ms, on 2 cores under load 6).
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
        var padded = Padding == 0 ? input : nn.functional.pad(input, [.. Enumerable.Repeat(Padding, 2 * Dimensions)]);
        if (Dimensions == 1)
        {
            // [batch, in, positions, k] → [batch, positions, in, k]
            var windows = padded.unfold(2, Kernel, Stride);
            return windows.permute(0, 2, 1, 3).reshape(-1, input.shape[1] * Kernel).MoveToOuterDisposeScope();
        }
        // [batch, in, rows, columns, k, k] → [batch, rows, columns, in, k, k]
        var patches = padded.unfold(2, Kernel, Stride).unfold(3, Kernel, Stride);
        return patches.permute(0, 2, 3, 1, 4, 5).reshape(-1, input.shape[1] * Kernel * Kernel).MoveToOuterDisposeScope();
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
