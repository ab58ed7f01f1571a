using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SparseDsl;

/// <summary>
/// A 1-D or 2-D convolution <c>y = m · conv(x, W ⊙ M) + b</c> built from a <see cref="LayerPlan"/> of a
/// <see cref="ConvAttribute"/>: init std, mask and forward multiplier <c>m</c> come from <see cref="ScalingRules"/>.
/// State-dict entries: <c>weight</c> (<c>[out, in/groups, k(, k)]</c>, as PyTorch's), <c>bias</c> and the buffer <c>mask</c>.
/// </summary>
public sealed class ScaledConv : Module<Tensor, Tensor>, IScaledLayer
{
    // Field names match the registered names, as in TorchSharp's own modules.
    private readonly Parameter weight;
    private readonly Parameter? bias;
    private readonly Tensor? mask;
    private readonly LayerTensors tensors;
    private readonly int dimensions;
    private readonly long stride, padding, groups;
    private readonly double forwardMultiplier;
    // Made once: a double operand would become a native Scalar per call that only a finalizer frees (issue 24).
    private readonly Scalar forwardScalar;

    /// <summary>Builds the convolution on <paramref name="device"/> with draws seeded by <paramref name="seed"/>.</summary>
    public ScaledConv(LayerPlan plan, long seed, Device? device = null) : base(plan.Name)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var attribute = plan.AttributeAs<ConvAttribute>();
        Plan = plan;
        (dimensions, stride, padding, groups) = (attribute.Dimensions, attribute.Stride, attribute.Padding, attribute.Groups);
        forwardMultiplier = plan.RequireWeight().ForwardMultiplier;
        forwardScalar = forwardMultiplier.ToScalar();
        tensors = new LayerTensors(this, plan, seed, device);
        weight = tensors["weight"];
        bias = tensors.Find("bias");
        mask = tensors.MaskOf("weight");
    }

    /// <inheritdoc />
    public LayerPlan Plan { get; }

    /// <summary>The stored weight, zero wherever <see cref="Mask"/> is zero.</summary>
    public Parameter Weight => weight;

    /// <summary>The bias, or null.</summary>
    public Parameter? Bias => bias;

    /// <summary>The static 0/1 mask, or null for a dense convolution.</summary>
    public Tensor? Mask => mask;

    /// <summary>The factor applied to the convolution before the bias.</summary>
    public double ForwardMultiplier => forwardMultiplier;

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var masked = mask is null ? null : weight.mul(mask);
        var effective = masked ?? (Tensor)weight;
        bool scaled = forwardMultiplier != 1.0;
        var y = dimensions == 1
            ? functional.conv1d(input, effective, scaled ? null : bias, stride, padding, 1, groups)
            : functional.conv2d(input, effective, scaled ? null : bias, [stride, stride], [padding, padding], [1, 1], groups);
        if (!scaled) return y;
        y.mul_(forwardScalar);
        if (bias is null) return y;
        using var shaped = dimensions == 1 ? bias.view(1, -1, 1) : bias.view(1, -1, 1, 1);
        return y.add_(shaped);
    }

    /// <inheritdoc />
    public IEnumerable<ScaledParameter> ScaledParameters() => tensors.Scaled();

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) forwardScalar.Dispose();
        base.Dispose(disposing);
    }
}
