using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SparseDsl;

/// <summary>
/// LayerNorm or RMSNorm over the last dimension, built from a <see cref="LayerPlan"/>: gain initialised to 1, optional
/// LayerNorm bias initialised to 0, both trained with the base LR and never decayed. State-dict entries: <c>weight</c>,
/// <c>bias</c> (when declared). ε = 1e-5, as in the reference code.
/// </summary>
public sealed class ScaledNorm : Module<Tensor, Tensor>, IScaledLayer
{
    /// <summary>ε under the square root, as in the reference code (exports record it).</summary>
    public const double Epsilon = 1e-5;

    private readonly Parameter weight;
    private readonly Parameter? bias;
    private readonly long[] normalizedShape;
    private readonly NormKind kind;
    private readonly LayerTensors tensors;

    /// <summary>Builds the norm on <paramref name="device"/>. <paramref name="seed"/> is unused (nothing is random) and kept for a uniform layer constructor.</summary>
    public ScaledNorm(LayerPlan plan, long seed, Device? device = null) : base(plan.Name)
    {
        ArgumentNullException.ThrowIfNull(plan);
        kind = plan.AttributeAs<NormAttribute>().Kind;
        Plan = plan;
        normalizedShape = [plan.OutFeatures];
        tensors = new LayerTensors(this, plan, seed, device);
        weight = tensors["weight"];
        bias = tensors.Find("bias");
    }

    /// <inheritdoc />
    public LayerPlan Plan { get; }

    /// <summary>The gain, <c>[dim]</c>.</summary>
    public Parameter Weight => weight;

    /// <summary>The LayerNorm bias, or null.</summary>
    public Parameter? Bias => bias;

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        if (kind == NormKind.LayerNorm)
            return functional.layer_norm(input, normalizedShape, weight, bias, Epsilon);
        return RmsNorm(input, weight);
    }

    /// <inheritdoc />
    public IEnumerable<ScaledParameter> ScaledParameters() => tensors.Scaled();

    /// <summary>RMSNorm over the last dimension, <c>x / √(mean(x²) + ε) · g</c> (attention's QK-norm uses it too).</summary>
    internal static Tensor RmsNorm(Tensor input, Tensor gain)
    {
        using var meanSquare = input.square().mean([-1], keepdim: true);
        using var inverseRms = meanSquare.add_(Epsilon).rsqrt_();
        using var normalized = input.mul(inverseRms);
        return normalized.mul(gain);
    }
}
