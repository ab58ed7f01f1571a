using static TorchSharp.torch;

namespace SparseDsl;

/// <summary>One layer shape timed on both paths: the measurement behind <see cref="SparseDispatch"/>'s rule.</summary>
/// <param name="InFeatures">The layer's inputs.</param>
/// <param name="OutFeatures">The layer's outputs.</param>
/// <param name="Density">The fraction of weights kept.</param>
/// <param name="Tokens">Rows of the input (batch × context).</param>
/// <param name="DenseMilliseconds">Forward and both gradients on the dense masked path (<c>W ⊙ M</c>, dense matmuls, masked weight gradient).</param>
/// <param name="SparseMilliseconds">Forward and both gradients with the sparse kernels (SpMM for y and dx, SDDMM for dW).</param>
/// <param name="DenseForwardMilliseconds">The forward alone on the dense masked path.</param>
/// <param name="SparseForwardMilliseconds">The forward alone with the sparse kernels.</param>
/// <param name="CooForwardMilliseconds">The forward alone through libtorch's own sparse × dense product on a COO weight,
/// the only sparse layout TorchSharp 0.107 constructs (<c>torch.sparse_coo_tensor</c>; it has no CSR constructor).</param>
public sealed record KernelTiming(int InFeatures, int OutFeatures, double Density, int Tokens, double DenseMilliseconds, double SparseMilliseconds,
    double DenseForwardMilliseconds, double SparseForwardMilliseconds, double CooForwardMilliseconds)
{
    /// <summary>Dense over sparse time: above 1 the sparse kernels win.</summary>
    public double Speedup => DenseMilliseconds / SparseMilliseconds;
}

/// <summary>
/// Times one linear layer's training products on the dense masked path and with the sparse kernels, on the CPU with
/// torch's thread count, on seeded random data: the crossover <see cref="SparseDispatch"/>'s rule comes from (the
/// <c>sparse-benchmark --kernels</c> command prints a grid of these; docs/sparse-kernels.md).
/// </summary>
public static class SparseKernelTiming
{
    /// <summary>Times a <paramref name="inFeatures"/> → <paramref name="outFeatures"/> layer keeping <paramref name="density"/> of its weights on <paramref name="tokens"/> input rows.</summary>
    /// <param name="inFeatures">The layer's inputs.</param>
    /// <param name="outFeatures">The layer's outputs.</param>
    /// <param name="density">The fraction of weights kept, in (0, 1].</param>
    /// <param name="tokens">Rows of the input.</param>
    /// <param name="minimumMilliseconds">Each path repeats until it has run this long (after one untimed run); the mean counts.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive or the density is outside (0, 1].</exception>
    public static KernelTiming Measure(int inFeatures, int outFeatures, double density, int tokens, double minimumMilliseconds = 200)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inFeatures);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outFeatures);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tokens);
        if (density is <= 0 or > 1) throw new ArgumentOutOfRangeException(nameof(density), density, "The density must be in (0, 1].");
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        using var generator = new Generator(7, CPU);
        var mask = rand([outFeatures, inFeatures], generator: generator).lt(density).to(ScalarType.Float32);
        var weight = randn([outFeatures, inFeatures], generator: generator).mul_(mask);
        using var pattern = SparsePattern.FromMask(mask);
        var values = pattern.Gather(weight);
        var x = randn([tokens, inFeatures], generator: generator);
        var dy = randn([tokens, outFeatures], generator: generator);
        double dense = RepeatedTiming.MeanMilliseconds(minimumMilliseconds, () =>
        {
            using var masked = weight.mul(mask);
            using var y = nn.functional.linear(x, masked);
            using var dx = dy.mm(masked);
            using var dw = dy.t().mm(x);
            dw.mul_(mask);
        });
        double sparse = RepeatedTiming.MeanMilliseconds(minimumMilliseconds, () =>
        {
            using var y = SparseProducts.Forward(x, values, pattern, null);
            var (dx, dv) = SparseProducts.Backward(dy, x, values, pattern, null);
            dx.Dispose();
            dv.Dispose();
        });
        double denseForward = RepeatedTiming.MeanMilliseconds(minimumMilliseconds, () =>
        {
            using var masked = weight.mul(mask);
            using var y = nn.functional.linear(x, masked);
        });
        double sparseForward = RepeatedTiming.MeanMilliseconds(minimumMilliseconds, () =>
        {
            using var y = SparseProducts.Forward(x, values, pattern, null);
        });
        var coo = weight.to_sparse();
        var xt = x.t().contiguous();
        double cooForward = RepeatedTiming.MeanMilliseconds(minimumMilliseconds, () =>
        {
            using var yt = coo.mm(xt);
            using var y = yt.t().contiguous();
        });
        return new KernelTiming(inFeatures, outFeatures, density, tokens, dense, sparse, denseForward, sparseForward, cooForward);
    }
}
