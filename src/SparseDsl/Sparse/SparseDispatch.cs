using TorchSharp;
using static TorchSharp.torch;

namespace SparseDsl;

/// <summary>Which path one layer's weight takes, and why (what <c>describe</c> prints).</summary>
/// <param name="IsSparse">Whether the layer stores only its kept values and runs the sparse kernels.</param>
/// <param name="Reason">One line: the rule or request that decided it.</param>
public sealed record StorageDecision(bool IsSparse, string Reason);

/// <summary>
/// Chooses per layer between the dense masked path and sparse storage, from the crossover measured by
/// <c>sparse-benchmark --kernels</c> (docs/sparse-kernels.md): the sparse kernels win when a linear layer keeps at
/// most <see cref="MaxDensity"/> of its weights and has at least <see cref="MinWeights"/> of them; below that the
/// dense kernels' efficiency beats the saved work. A convolution stays dense unless sparse storage is requested
/// (<see cref="ConvolutionReason"/>): its im2col sparse path lost to libtorch's convolution at the measured shapes.
/// </summary>
public static class SparseDispatch
{
    /// <summary>The largest density the automatic rule stores sparse (87.5% sparsity and beyond).</summary>
    public const double MaxDensity = 0.125;

    /// <summary>
    /// The fewest weights (<c>in × out</c>) the automatic rule stores sparse. At 2¹⁸ (GptLm's 256 × 1024 MLP layers)
    /// the layer products alone win, but a whole training step at width 256 was slower with them sparse (0.76–0.91×,
    /// docs/performance.md section 6): the autograd function's and the tiling's fixed costs outweigh the saved work.
    /// </summary>
    public const long MinWeights = 1L << 19;

    /// <summary>
    /// Why <see cref="WeightStorage.Auto"/> keeps a masked convolution dense. Measured with <see cref="SparseConvTiming"/>
    /// on the ConvNets' shapes and larger ones (up to 1024 → 1024 channels), at densities 1/2, 1/8 and 1/32: the sparse
    /// path (im2col, then the sparse kernels) builds and keeps a k(·k)-fold copy of the input that libtorch's convolution
    /// never builds, and that copy alone costs about what the whole dense convolution does (docs/sparse-kernels.md).
    /// </summary>
    public const string ConvolutionReason = "dense masked: Auto keeps convolutions dense (their im2col sparse path lost at every measured shape; --storage sparse forces it)";

    /// <summary>Decides the storage of <paramref name="plan"/>'s weight on a device of type <paramref name="device"/>.</summary>
    public static StorageDecision Decide(LayerPlan plan, DeviceType device)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var weight = plan.Find("weight");
        if (weight is not { IsMasked: true })
            return new(false, "dense: no mask");
        if (plan.Storage == WeightStorage.Dense)
            return new(false, "dense: requested (--storage dense)");
        if (plan.Attribute is ConvAttribute { Groups: > 1 } grouped)
            return new(false, $"dense masked: no sparse kernel for a grouped convolution ({grouped.Groups} groups) yet");
        if (plan.Attribute is not (SparseLinearAttribute or ConvAttribute))
            return new(false, $"dense masked: no sparse kernel for a {plan.Kind} layer yet");
        if (device != DeviceType.CPU)
            return new(false, $"dense masked: the sparse kernels run on the CPU only, not on {device}");
        if (plan.Storage == WeightStorage.Sparse)
            return new(true, "sparse: requested (--storage sparse)");
        if (plan.Attribute is ConvAttribute)
            return new(false, ConvolutionReason);
        long weights = weight.Count;
        if (weight.Density > MaxDensity)
            return new(false, $"dense masked: density {weight.Density:0.####} > {MaxDensity} (measured crossover)");
        if (weights < MinWeights)
            return new(false, $"dense masked: {weights:N0} weights < {MinWeights:N0} (measured crossover)");
        return new(true, $"sparse: density {weight.Density:0.####} ≤ {MaxDensity} and {weights:N0} weights ≥ {MinWeights:N0}");
    }
}
