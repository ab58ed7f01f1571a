using static TorchSharp.torch;

namespace SparseDsl.Tests.Sparse;

/// <summary>
/// The sparse products against the dense masked ones they replace: forward, input gradient and weight gradient at the
/// kept positions, with and without SAT selections, at token counts that are and are not multiples of the 64-token tile.
/// </summary>
/// <remarks>
/// Tolerance: each output is a sum of K float32 products that the two paths add in different orders (and the sparse
/// kernels with FMA). The worst-case rounding error of such a sum is γ_K · Σ|aᵢbᵢ| with γ_K ≈ K·ε, ε = 2⁻²⁴ (Higham,
/// Accuracy and Stability, §3.1); the tests allow 2·K·ε·Σ|aᵢbᵢ| elementwise, Σ|aᵢbᵢ| computed in float64. A wrong
/// entry, column or slot moves an output by a whole product, far beyond that bound.
/// </remarks>
public sealed class SparseKernelTests
{
    private const double Epsilon = 1.0 / (1 << 24);

    private sealed record Case(Tensor Mask, Tensor Weight, SparsePattern Pattern, Tensor Values, Tensor Input, Tensor GradOutput) : IDisposable
    {
        public void Dispose()
        {
            Mask.Dispose(); Weight.Dispose(); Pattern.Dispose(); Values.Dispose(); Input.Dispose(); GradOutput.Dispose();
        }
    }

    private static Case Make(int tokens, int inFeatures, int outFeatures, double density, long seed)
    {
        using var generator = new Generator((ulong)seed, CPU);
        var mask = rand([outFeatures, inFeatures], generator: generator).lt(density).to(ScalarType.Float32);
        var weight = randn([outFeatures, inFeatures], generator: generator).mul_(mask);
        var pattern = SparsePattern.FromMask(mask);
        var values = pattern.Gather(weight);
        var input = randn([tokens, inFeatures], generator: generator);
        var grad = randn([tokens, outFeatures], generator: generator);
        return new Case(mask, weight, pattern, values, input, grad);
    }

    // |expected − actual| ≤ 2·K·ε·(|a|·|b|) elementwise, the scale computed in float64.
    private static void AssertClose(Tensor expected, Tensor actual, Tensor absA, Tensor absB, long k, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        using var scale = absA.to(ScalarType.Float64).matmul(absB.to(ScalarType.Float64));
        using var bound = scale.mul(2.0 * k * Epsilon).add(1e-30);
        using var error = (expected.to(ScalarType.Float64) - actual.to(ScalarType.Float64)).abs();
        using var excess = (error - bound).max();
        Assert.True(excess.item<double>() <= 0, $"{what}: an error exceeds 2·K·ε·Σ|ab| by {excess.item<double>():E3}");
    }

    [Theory]
    [InlineData(64, 32, 48, 0.25)]
    [InlineData(100, 70, 130, 0.125)]
    [InlineData(7, 96, 40, 0.03125)]
    [InlineData(257, 128, 512, 0.5)]
    public void Forward_and_both_gradients_equal_the_masked_dense_products(int tokens, int inFeatures, int outFeatures, double density)
    {
        using var c = Make(tokens, inFeatures, outFeatures, density, seed: tokens);
        using var y = SparseProducts.Forward(c.Input, c.Values, c.Pattern, null);
        using var yDense = c.Input.matmul(c.Weight.t());
        using var absX = c.Input.abs();
        using var absW = c.Weight.abs();
        using var absWt = absW.t();
        AssertClose(yDense, y, absX, absWt, inFeatures, "forward");

        var (dx, dv) = SparseProducts.Backward(c.GradOutput, c.Input, c.Values, c.Pattern, null);
        using var _dx = dx;
        using var _dv = dv;
        using var dxDense = c.GradOutput.matmul(c.Weight);
        using var absG = c.GradOutput.abs();
        AssertClose(dxDense, dx, absG, absW, outFeatures, "input gradient");

        using var dwDense = c.GradOutput.t().matmul(c.Input);
        using var dwKept = c.Pattern.Gather(dwDense);
        using var absGt = absG.t();
        using var scaleKept = c.Pattern.Gather(absGt.to(ScalarType.Float64).matmul(absX.to(ScalarType.Float64)));
        using var error = (dwKept.to(ScalarType.Float64) - dv.to(ScalarType.Float64)).abs();
        Assert.True((error - scaleKept * (2.0 * tokens * Epsilon)).max().item<double>() <= 1e-30, "weight gradient beyond 2·N·ε·Σ|ab|");
        Assert.Equal(c.Pattern.Count, dv.shape[0]);
    }

    [Fact]
    public void Rows_kept_by_a_selection_equal_the_gathered_dense_rows_and_omitted_rows_get_no_gradient()
    {
        using var c = Make(90, 48, 64, 0.25, seed: 3);
        using var kept = tensor(new long[] { 0, 5, 6, 17, 40, 63 });
        using var selection = SparseSelection.Of(rows: true, kept, 64);
        using var y = SparseProducts.Forward(c.Input, c.Values, c.Pattern, selection);
        using var wKept = c.Weight.index_select(0, kept);
        using var yDense = c.Input.matmul(wKept.t());
        using var absX = c.Input.abs();
        using var absWk = wKept.abs().t();
        AssertClose(yDense, y, absX, absWk, 48, "forward of kept rows");

        using var g = c.GradOutput.narrow(1, 0, kept.shape[0]).contiguous();
        var (dx, dv) = SparseProducts.Backward(g, c.Input, c.Values, c.Pattern, selection);
        using var _dx = dx;
        using var _dv = dv;
        using var dxDense = g.matmul(wKept);
        using var absG = g.abs();
        using var absWkRows = wKept.abs();
        AssertClose(dxDense, dx, absG, absWkRows, kept.shape[0], "input gradient through kept rows");

        // Every value outside the kept rows has exactly zero gradient; the kept ones match the dense gradient.
        using var slots = selection.Slots(c.Pattern);
        using var keptMask = zeros(c.Pattern.Count, ScalarType.Bool).index_fill_(0, slots, true);
        Assert.Equal(0f, dv.masked_select(keptMask.logical_not()).abs().sum().item<float>());
        using var full = zeros([64, 90]);
        full.index_copy_(0, kept, g.t());
        using var dwDense = c.Pattern.Gather(full.matmul(c.Input));
        Assert.True(dwDense.allclose(dv, rtol: 1e-4, atol: 1e-4));
    }

    [Fact]
    public void Columns_kept_by_a_selection_read_the_gathered_input_and_omitted_columns_get_no_gradient()
    {
        using var c = Make(70, 64, 40, 0.25, seed: 4);
        using var kept = tensor(new long[] { 1, 2, 3, 30, 31, 50, 63 });
        using var selection = SparseSelection.Of(rows: false, kept, 64);
        using var x = c.Input.index_select(1, kept).contiguous();
        using var y = SparseProducts.Forward(x, c.Values, c.Pattern, selection);
        using var wKept = c.Weight.index_select(1, kept);
        using var yDense = x.matmul(wKept.t());
        using var absX = x.abs();
        using var absWkT = wKept.abs().t();
        AssertClose(yDense, y, absX, absWkT, kept.shape[0], "forward over kept columns");

        var (dx, dv) = SparseProducts.Backward(c.GradOutput, x, c.Values, c.Pattern, selection);
        using var _dx = dx;
        using var _dv = dv;
        Assert.Equal(new long[] { 70, kept.shape[0] }, dx.shape);
        using var dxDense = c.GradOutput.matmul(wKept);
        using var absG = c.GradOutput.abs();
        using var absWk = wKept.abs();
        AssertClose(dxDense, dx, absG, absWk, 40, "input gradient of kept columns");

        using var slots = selection.Slots(c.Pattern);
        using var keptMask = zeros(c.Pattern.Count, ScalarType.Bool).index_fill_(0, slots, true);
        Assert.Equal(0f, dv.masked_select(keptMask.logical_not()).abs().sum().item<float>());
    }

    [Fact]
    public void Results_are_bit_identical_whatever_the_thread_count()
    {
        using var c = Make(300, 256, 384, 0.125, seed: 5);
        int threads = TorchSharp.torch.get_num_threads();
        try
        {
            TorchSharp.torch.set_num_threads(1);
            using var y1 = SparseProducts.Forward(c.Input, c.Values, c.Pattern, null);
            var (dx1, dv1) = SparseProducts.Backward(c.GradOutput, c.Input, c.Values, c.Pattern, null);
            TorchSharp.torch.set_num_threads(Math.Max(2, threads));
            using var y2 = SparseProducts.Forward(c.Input, c.Values, c.Pattern, null);
            var (dx2, dv2) = SparseProducts.Backward(c.GradOutput, c.Input, c.Values, c.Pattern, null);
            Assert.True(y1.equal(y2).all().item<bool>());
            Assert.True(dx1.equal(dx2).all().item<bool>());
            Assert.True(dv1.equal(dv2).all().item<bool>());
            foreach (var t in new[] { dx1, dv1, dx2, dv2 }) t.Dispose();
        }
        finally { TorchSharp.torch.set_num_threads(threads); }
    }

    [Fact]
    public void A_pattern_round_trips_through_its_rows_and_refuses_broken_ones()
    {
        using var c = Make(4, 20, 30, 0.3, seed: 6);
        using var again = SparsePattern.FromRows(30, 20, c.Pattern.RowStart, c.Pattern.Column);
        using var mask = again.ToMask();
        Assert.True(mask.equal(c.Mask).all().item<bool>());
        using var dense = c.Pattern.Scatter(c.Values);
        Assert.True(dense.equal(c.Weight).all().item<bool>());

        using var badColumns = c.Pattern.Column.clone();
        badColumns[0] = tensor(25, ScalarType.Int32);
        Assert.Throws<ArgumentException>(() => SparsePattern.FromRows(30, 20, c.Pattern.RowStart, badColumns));
        using var badRows = c.Pattern.RowStart.clone();
        badRows[30] = tensor((int)c.Pattern.Count + 1, ScalarType.Int32);
        Assert.Throws<ArgumentException>(() => SparsePattern.FromRows(30, 20, badRows, c.Pattern.Column));
    }
}
