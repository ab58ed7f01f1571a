using static TorchSharp.torch;

namespace SparseDsl;

/// <summary>One convolution shape timed on both paths: the measurement behind <see cref="SparseDispatch"/>'s rule for convolutions.</summary>
/// <param name="InChannels">Input channels.</param>
/// <param name="OutChannels">Output channels.</param>
/// <param name="Dimensions">1 (sequences) or 2 (images).</param>
/// <param name="Kernel">The square kernel's size.</param>
/// <param name="Size">The input's length (1-D) or height and width (2-D); stride 1 and padding <c>Kernel / 2</c> keep it.</param>
/// <param name="Batch">Inputs per step.</param>
/// <param name="Density">The fraction of weights kept.</param>
/// <param name="DenseMilliseconds">Forward and backward (input and weight gradients) of libtorch's convolution of <c>W ⊙ M</c>.</param>
/// <param name="SparseMilliseconds">Forward and backward of the sparse path: im2col, the sparse kernels, col2im for the input gradient.</param>
/// <param name="DenseForwardMilliseconds">The forward alone on the dense masked path.</param>
/// <param name="SparseForwardMilliseconds">The forward alone on the sparse path.</param>
public sealed record ConvTiming(int InChannels, int OutChannels, int Dimensions, int Kernel, int Size, int Batch, double Density,
    double DenseMilliseconds, double SparseMilliseconds, double DenseForwardMilliseconds, double SparseForwardMilliseconds)
{
    /// <summary>The weights of the layer, <c>out · in · k(·k)</c>.</summary>
    public long Weights => (long)OutChannels * InChannels * (Dimensions == 1 ? Kernel : Kernel * Kernel);

    /// <summary>Dense over sparse time for a training step's products: above 1 the sparse path wins.</summary>
    public double Speedup => DenseMilliseconds / SparseMilliseconds;
}

/// <summary>
/// Times one convolution's training products on the dense masked path (libtorch's convolution, mkldnn on x86) and on
/// the sparse path <see cref="ScaledConv"/> takes under sparse storage, on the CPU with torch's thread count and seeded
/// random data, both through autograd as in training (docs/sparse-kernels.md, "Convolutions").
/// </summary>
public static class SparseConvTiming
{
    /// <summary>Times a <paramref name="inChannels"/> → <paramref name="outChannels"/> convolution keeping <paramref name="density"/> of its weights.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="dimensions">1 or 2.</param>
    /// <param name="kernel">The kernel size (odd, so that padding <c>kernel / 2</c> keeps the size).</param>
    /// <param name="size">The input's length or side.</param>
    /// <param name="batch">Inputs per step.</param>
    /// <param name="density">The fraction of weights kept, in (0, 1].</param>
    /// <param name="minimumMilliseconds">Each path repeats until it has run this long (after one untimed run); the mean counts.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, the dimensions are not 1 or 2, or the density is outside (0, 1].</exception>
    public static ConvTiming Measure(int inChannels, int outChannels, int dimensions, int kernel, int size, int batch, double density, double minimumMilliseconds = 200)
    {
        foreach (int n in new[] { inChannels, outChannels, kernel, size, batch }) ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        if (dimensions is not (1 or 2)) throw new ArgumentOutOfRangeException(nameof(dimensions), dimensions, "Convolutions are 1-D or 2-D.");
        if (density is <= 0 or > 1) throw new ArgumentOutOfRangeException(nameof(density), density, "The density must be in (0, 1].");
        using var scope = NewDisposeScope();
        using var generator = new Generator(7, CPU);
        long[] kernelShape = dimensions == 1 ? [kernel] : [kernel, kernel];
        long[] spatial = dimensions == 1 ? [size] : [size, size];
        var mask = rand([outChannels, inChannels, .. kernelShape], generator: generator).lt(density).to(ScalarType.Float32);
        var weight = randn([outChannels, inChannels, .. kernelShape], generator: generator).mul_(mask).requires_grad_();
        using var pattern = SparsePattern.FromMask(mask.reshape(outChannels, -1));
        var values = pattern.Gather(weight.detach().reshape(outChannels, -1)).requires_grad_();
        var x = randn([batch, inChannels, .. spatial], generator: generator).requires_grad_();
        var dy = randn([batch, outChannels, .. spatial], generator: generator);
        var patches = new ConvPatches(dimensions, kernel, 1, kernel / 2);

        Tensor Dense()
        {
            using var masked = weight.mul(mask);
            return dimensions == 1
                ? nn.functional.conv1d(x, masked, null, 1, kernel / 2)
                : nn.functional.conv2d(x, masked, null, [1, 1], [kernel / 2, kernel / 2]);
        }
        Tensor Sparse()
        {
            using var columns = patches.Columns(x);
            using var product = SparseLinearFunction.apply(columns, values, pattern, null!);
            return patches.Output(product, x);
        }
        double dense = RepeatedTiming.MeanMilliseconds(minimumMilliseconds, () => Step(Dense, dy, x, weight));
        double sparse = RepeatedTiming.MeanMilliseconds(minimumMilliseconds, () => Step(Sparse, dy, x, values));
        double denseForward = RepeatedTiming.MeanMilliseconds(minimumMilliseconds, () => Forward(Dense));
        double sparseForward = RepeatedTiming.MeanMilliseconds(minimumMilliseconds, () => Forward(Sparse));
        return new ConvTiming(inChannels, outChannels, dimensions, kernel, size, batch, density, dense, sparse, denseForward, sparseForward);
    }

    // Forward and backward with both gradients; the gradients are dropped so the next run allocates them afresh, as a step does.
    private static void Step(Func<Tensor> forward, Tensor gradOutput, Tensor input, Tensor trained)
    {
        using var scope = NewDisposeScope();
        var y = forward();
        y.backward([gradOutput]);
        input.grad?.Dispose();
        input.grad = null;
        trained.grad?.Dispose();
        trained.grad = null;
    }

    private static void Forward(Func<Tensor> forward)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        forward();
    }
}
