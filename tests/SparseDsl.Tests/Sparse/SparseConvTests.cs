using TorchSharp;
using SparseDsl.Tests.Kinds;
using static TorchSharp.torch;

namespace SparseDsl.Tests.Sparse;

/// <summary>
/// Convolutions with sparse storage against the same convolutions on the dense masked path: the same seeded pattern
/// and values, forward and both gradients to float32 tolerance, the same training, and no storage, gradient or moment
/// at a masked position.
/// </summary>
/// <remarks>
/// Tolerance, as in <see cref="SparseKernelTests"/>: each output is a sum of K float32 terms that libtorch's convolution
/// and the sparse path (im2col, sparse kernels, col2im) add in different orders, so they differ by at most
/// 2·K·ε·Σ|terms| with ε = 2⁻²⁴. The forward's terms are the window's products, the multiplier's rounding and the bias
/// (K = in·k(·k) + 2, Σ = |m|·conv(|x|, |W|) + |b|); the input gradient's are the products of every output the input
/// reaches (K = out·k(·k) + 1, Σ = conv_transpose(|m|·|dy|, |W|)); the weight gradient's are one product per output
/// position (K = batch·positions + 1, Σ = the weight gradient of the same convolution on |x| and |m|·|dy|). Each Σ is
/// computed in float64 by the same convolution on absolute values. A wrong column, kernel offset or slot moves an output
/// by a whole product, far beyond the bound.
/// </remarks>
public sealed class SparseConvTests
{
    private const double Epsilon = 1.0 / (1 << 24);

    private static ModelOptions Options(WeightStorage storage, double? sparsity = null) => new() { Sparsity = sparsity, Storage = storage };

    public static TheoryData<string> Layers => new() { "hidden", "strided", "sequence" };

    private static (ScaledConv Dense, ScaledConv Sparse, long[] Input, IDisposable Models) Pair(string layer)
    {
        if (layer == "hidden")
        {
            var d = new TinyConvNet(32, seed: 3, options: Options(WeightStorage.Dense));
            var s = new TinyConvNet(32, seed: 3, options: Options(WeightStorage.Sparse));
            return (d.Hidden, s.Hidden, [3, 32, 8, 8], new Both(d, s));
        }
        var dense = new ConvShapes(32, seed: 3, options: Options(WeightStorage.Dense));
        var sparse = new ConvShapes(32, seed: 3, options: Options(WeightStorage.Sparse));
        return layer == "strided"
            ? (dense.Strided, sparse.Strided, [3, 3, 9, 9], new Both(dense, sparse))
            : (dense.Sequence, sparse.Sequence, [3, 32, 21], new Both(dense, sparse));
    }

    private sealed record Both(IDisposable A, IDisposable B) : IDisposable
    {
        public void Dispose()
        {
            A.Dispose();
            B.Dispose();
        }
    }

    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.equal(b).all().item<bool>();

    [Theory]
    [MemberData(nameof(Layers))]
    public void A_sparse_convolution_holds_the_seeded_pattern_and_the_kept_values_of_the_masked_dense_one(string layer)
    {
        var (dense, sparse, _, models) = Pair(layer);
        using var _ = models;
        Assert.False(dense.IsSparseStorage);
        Assert.True(sparse.IsSparseStorage, sparse.Storage.Reason);
        Assert.Null(sparse.Mask);
        Assert.Throws<InvalidOperationException>(() => sparse.Weight);
        using var mask = sparse.Pattern!.ToMask();
        Assert.True(Same(dense.Mask!.reshape(mask.shape), mask), "another pattern than the seeded mask");
        using var effective = sparse.EffectiveWeight();
        using var expected = dense.EffectiveWeight();
        Assert.True(Same(expected, effective), "other kept values, or another shape");
        Assert.Equal((long)dense.Mask!.sum().item<float>(), sparse.Values!.numel());
        var names = sparse.named_buffers().Select(b => b.name).ToList();
        Assert.DoesNotContain("mask", names);
        Assert.Equal(ScalarType.Int32, sparse.get_buffer(LayerTensors.ColumnsName("weight"))!.dtype);
    }

    [Theory]
    [MemberData(nameof(Layers))]
    public void Forward_and_both_gradients_equal_the_masked_dense_convolution(string layer)
    {
        var (dense, sparse, shape, models) = Pair(layer);
        using var _ = models;
        using var generator = new Generator(11, CPU);
        using var x = randn(shape, generator: generator);
        using var xd = x.clone().requires_grad_();
        using var xs = x.clone().requires_grad_();
        using var yd = dense.call(xd);
        using var ys = sparse.call(xs);
        using var dy = randn(yd.shape, generator: generator);
        yd.backward([dy]);
        ys.backward([dy]);

        // The float64 sums of absolute terms, from the same convolution on absolute values.
        var attribute = dense.Plan.AttributeAs<ConvAttribute>();
        long window = dense.Plan.Parameter("weight").Count / dense.Plan.Parameter("weight").Shape[0];
        double m = Math.Abs(dense.ForwardMultiplier);
        using var absW = dense.EffectiveWeight().abs().to(ScalarType.Float64).requires_grad_();
        using var absX = x.abs().to(ScalarType.Float64).requires_grad_();
        using var absDy = dy.abs().to(ScalarType.Float64).mul(m);
        using var absY = Convolve(absX, absW, attribute);
        absY.backward([absDy]);
        using var bias = dense.Bias is { } b ? b.detach().abs().to(ScalarType.Float64).view([1, -1, .. Enumerable.Repeat(1L, shape.Length - 2)]) : zeros(1, ScalarType.Float64);
        using var forwardScale = absY.detach().mul(m).add(bias);
        AssertWithin(yd, ys, forwardScale, window + 2, "forward");
        AssertWithin(xd.grad!, xs.grad!, absX.grad!, dense.Plan.Parameter("weight").Shape[0] * window / dense.Plan.Parameter("weight").Shape[1] + 1, "input gradient");

        var pattern = sparse.Pattern!;
        using var denseGrad = pattern.Gather(dense.Weight.grad!.reshape(pattern.Rows, -1));
        using var gradScale = pattern.Gather(absW.grad!.reshape(pattern.Rows, -1));
        long positions = yd.numel() / yd.shape[1];
        AssertWithin(denseGrad, sparse.Values!.grad!, gradScale, positions + 1, "weight gradient");
        Assert.Equal(pattern.Count, sparse.Values.grad!.numel());
    }

    private static Tensor Convolve(Tensor x, Tensor w, ConvAttribute a) => a.Dimensions == 1
        ? nn.functional.conv1d(x, w, null, a.Stride, a.Padding)
        : nn.functional.conv2d(x, w, null, [a.Stride, a.Stride], [a.Padding, a.Padding]);

    // |expected − actual| ≤ 2·K·ε·scale elementwise.
    private static void AssertWithin(Tensor expected, Tensor actual, Tensor scale, long k, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        using var error = (expected.detach().to(ScalarType.Float64) - actual.detach().to(ScalarType.Float64)).abs();
        using var bound = scale.detach().mul(2.0 * k * Epsilon).add(1e-30);
        using var excess = (error - bound).max();
        Assert.True(excess.item<double>() <= 0, $"{what}: an error exceeds 2·K·ε·Σ|terms| (K = {k}) by {excess.item<double>():E3}");
        // The bound is not vacuous: the two paths are really compared (a broken kernel fails it by orders of magnitude).
        using var largest = error.max();
        using var scaleMax = scale.detach().max();
        Assert.True(largest.item<double>() < 1e-3 * scaleMax.item<double>() + 1e-30, $"{what}: the paths differ by {largest.item<double>():E3}");
    }
    [Fact]
    public void A_small_ConvNet_trains_to_losses_within_1e_4_relative_on_both_storages()
    {
        // The same draws and batches; the runs differ only in the order float32 sums are added.
        const int steps = 40;
        using var dense = new ConvTraining(WeightStorage.Dense, seed: 4);
        using var sparse = new ConvTraining(WeightStorage.Sparse, seed: 4);
        Assert.True(sparse.Model.Hidden.IsSparseStorage, sparse.Model.Hidden.Storage.Reason);
        var denseLosses = Enumerable.Range(0, steps).Select(dense.Step).ToList();
        var sparseLosses = Enumerable.Range(0, steps).Select(sparse.Step).ToList();
        Assert.True(denseLosses[^1] < 0.8 * denseLosses[0], $"the run should learn: {denseLosses[0]} → {denseLosses[^1]}");
        for (int i = 0; i < steps; i++)
            Assert.True(Math.Abs(denseLosses[i] - sparseLosses[i]) <= 1e-4 * Math.Abs(denseLosses[i]),
                $"step {i + 1}: dense {denseLosses[i]:R}, sparse {sparseLosses[i]:R}");
    }

    [Fact]
    public void A_masked_position_of_a_sparse_convolution_has_no_value_gradient_or_moment()
    {
        using var run = new ConvTraining(WeightStorage.Sparse, seed: 6, sparsity: 0.75);
        for (int i = 0; i < 5; i++) run.Step(i);
        var hidden = run.Model.Hidden;
        var states = AdamWArithmetic.States(run.Optimizer).ToDictionary(e => e.Parameter.Handle);
        long kept = hidden.Pattern!.Count;
        Assert.Equal(kept, hidden.Values!.numel());
        var state = states[hidden.Values.Handle].State;
        Assert.Equal(kept, state.exp_avg.numel());
        Assert.Equal(kept, state.exp_avg_sq.numel());
        Assert.True(state.exp_avg_sq.gt(0).any().item<bool>(), "the hidden convolution should have trained");
        // Scattered back (weight decay included), every position off the pattern is exactly zero.
        using var weight = hidden.EffectiveWeight();
        using var mask = hidden.Pattern.ToMask();
        using var outside = mask.reshape(weight.shape).eq(0);
        Assert.True(outside.any().item<bool>());
        Assert.Equal(0f, weight.masked_select(outside).abs().sum().item<float>());
        // Every moment belongs to a trained tensor of the same size: nothing dense hides elsewhere.
        long moments = states.Values.Sum(s => s.State.exp_avg.numel());
        long trained = run.Model.ScaledParameters().Sum(p => p.Parameter.numel());
        Assert.Equal(trained, moments);
        Assert.DoesNotContain(run.Model.state_dict().Keys, k => k == "hidden.mask" || k == "hidden.weight");
    }

    [Fact]
    public void A_sparse_convolution_follows_float64_and_back_and_refuses_to_run_off_float32()
    {
        using var run = new ConvTraining(WeightStorage.Sparse, seed: 2);
        using var before = run.Logits();
        run.Model.to(ScalarType.Float64);
        var hidden = run.Model.Hidden;
        Assert.Equal(ScalarType.Float64, hidden.Values!.dtype);
        Assert.Same(hidden.get_buffer(LayerTensors.ColumnsName("weight")), hidden.Pattern!.Column);
        using var images = TinyConvNet.Batch(0, size: 2).Images.to(ScalarType.Float64);
        Assert.Contains("float32 only", Assert.Throws<InvalidOperationException>(() => run.Model.call(images)).Message);
        run.Model.to(ScalarType.Float32);
        using var after = run.Logits();
        Assert.True(Same(before, after), "the logits changed across to(float64) and back");
    }
    [Fact]
    public void Dispatch_keeps_convolutions_dense_under_Auto_stores_them_sparse_on_request_and_the_notice_counts_them()
    {
        using var auto = new TinyConvNet(128, options: Options(WeightStorage.Auto, sparsity: 0.96875));
        Assert.False(auto.Hidden.IsSparseStorage);
        Assert.Contains("convolution", auto.Hidden.Storage.Reason);
        Assert.Contains(auto.Hidden.Storage.Reason, ModelDescription.Text(auto.Plan));

        using var forced = new ConvShapes(32, options: Options(WeightStorage.Sparse));
        Assert.Equal("sparse: requested (--storage sparse)", forced.Strided.Storage.Reason);
        Assert.Equal("dense masked: no sparse kernel for a grouped convolution (2 groups) yet", forced.Grouped.Storage.Reason);
        Assert.NotNull(forced.Grouped.Mask);
        Assert.Equal("Weight storage: 2 of 3 masked layers sparse (kept values and sparse kernels); dense masked: 1 no sparse kernel for a grouped convolution (2 groups) yet.",
            SparseStorageNotice.Of(forced, waitPolicy: "PASSIVE"));
        using var dense = new TinyConvNet(32, options: Options(WeightStorage.Dense));
        Assert.Equal("dense: requested (--storage dense)", dense.Hidden.Storage.Reason);
    }
}
