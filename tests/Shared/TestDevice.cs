using static TorchSharp.torch;

namespace SparseDsl.Tests;

/// <summary>
/// The device the tests train and run models on: the one <c>SPARSEDSL_DEVICE</c> names (<see cref="DeviceSelector.EnvironmentVariable"/>),
/// the CPU when it is unset; the same variable sets the example CLI's <c>--device</c> default, so CLI tests follow it too.
/// <c>SPARSEDSL_DEVICE=cuda dotnet test</c> (on a build with <c>-p:TorchBackend=cuda</c>) runs the suite on the GPU.
/// Tests of CPU-side facts stay on the CPU whatever it says: initial draws (made on the CPU by design, so every device
/// gets the same model), plans and costs, files, and the CPU's own kernels and memory.
/// </summary>
/// <remarks>
/// Tests that compare two runs of this process bit for bit do so on the CPU, where the same kernels in the same order
/// give the same bits. On CUDA, kernels such as the embedding's backward add with atomics in no fixed order, so two
/// identical runs can differ in the last bits of float32; there the comparison allows <see cref="RelativeTolerance"/>.
/// </remarks>
internal static class TestDevice
{
    /// <summary>
    /// Relative tolerance for "the same run twice" on a non-CPU device: float32's ε is 1.2e-7, and the few training steps
    /// these tests compare add and then normalise (Adam) sums reordered by atomics, which can grow a last-bit difference
    /// by some hundreds of ε; 1e-4 leaves a margin and still fails a wrong optimizer state (a different update of ~1e-2).
    /// </summary>
    public const double RelativeTolerance = 1e-4;

    /// <summary>The absolute floor under <see cref="RelativeTolerance"/>, for values near 0 (float32 weights of order 0.01).</summary>
    public const double AbsoluteTolerance = 1e-6;

    /// <summary>The device named by <c>SPARSEDSL_DEVICE</c>, or the CPU.</summary>
    public static Device Current { get; } = DeviceSelector.FromEnvironment();

    /// <summary>Whether <see cref="Current"/> is the CPU: then same-process comparisons are bit for bit.</summary>
    public static bool IsCpu => Current.type == TorchSharp.DeviceType.CPU;

    /// <summary>Bitwise equal on the CPU; within <see cref="RelativeTolerance"/> on another device. Shapes must match.</summary>
    public static bool Same(Tensor expected, Tensor actual)
    {
        if (!expected.shape.SequenceEqual(actual.shape)) return false;
        if (expected.device_type == TorchSharp.DeviceType.CPU && actual.device_type == TorchSharp.DeviceType.CPU) return expected.eq(actual).all().item<bool>();
        using var e = expected.detach().cpu();
        using var a = actual.detach().cpu();
        return e.dtype is ScalarType.Float32 or ScalarType.Float64 or ScalarType.Float16 or ScalarType.BFloat16
            ? a.allclose(e, RelativeTolerance, AbsoluteTolerance)
            : e.eq(a).all().item<bool>();
    }

    /// <summary>The same sequence of losses (or norms) of two runs: equal on the CPU, within tolerance one by one on another device.</summary>
    public static void AssertSameLosses(IEnumerable<double> expected, IEnumerable<double> actual)
    {
        var (e, a) = (expected.ToList(), actual.ToList());
        Assert.Equal(e.Count, a.Count);
        for (int i = 0; i < e.Count; i++) AssertSameLoss(e[i], a[i]);
    }

    /// <summary>Two losses of the same run: equal on the CPU, within <see cref="RelativeTolerance"/> on another device.</summary>
    public static void AssertSameLoss(double expected, double actual)
    {
        if (IsCpu) Assert.Equal(expected, actual);
        else Assert.True(Math.Abs(expected - actual) <= RelativeTolerance * Math.Abs(expected) + AbsoluteTolerance, $"{expected} vs {actual} on {Current}");
    }
}
