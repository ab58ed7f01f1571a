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
    private const double Epsilon = 1e-5;

    private readonly Parameter weight;
    private readonly Parameter? bias;
    private readonly long[] normalizedShape;

    /// <summary>Builds the norm on <paramref name="device"/>. <paramref name="seed"/> is unused (nothing is random) and kept for a uniform layer constructor.</summary>
    public ScaledNorm(LayerPlan plan, long seed, Device? device = null) : base(plan.Name)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.Declaration.Kind != LayerKind.Norm)
            throw new ArgumentException($"Layer '{plan.Name}' is a {plan.Declaration.Kind} layer, not a norm.", nameof(plan));
        if (plan.Declaration.Norm == NormKind.RmsNorm && plan.Bias is not null)
            throw new ArgumentException($"Norm '{plan.Name}': RMSNorm has no bias.", nameof(plan));
        Plan = plan;
        normalizedShape = [plan.OutFeatures];
        weight = new Parameter(ones(plan.OutFeatures, ScalarType.Float32, device ?? CPU), requires_grad: true);
        register_parameter(nameof(weight), weight);
        if (plan.Bias is not null)
        {
            bias = new Parameter(zeros(plan.OutFeatures, ScalarType.Float32, device ?? CPU), requires_grad: true);
            register_parameter(nameof(bias), bias);
        }
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
        if (Plan.Declaration.Norm == NormKind.LayerNorm)
            return functional.layer_norm(input, normalizedShape, weight, bias, Epsilon);
        using var meanSquare = input.square().mean([-1], keepdim: true);
        using var inverseRms = meanSquare.add_(Epsilon).rsqrt_();
        using var normalized = input.mul(inverseRms);
        return normalized.mul(weight);
    }

    /// <inheritdoc />
    public IEnumerable<ScaledParameter> ScaledParameters()
    {
        yield return new ScaledParameter(nameof(weight), weight, Plan.RequireWeight());
        if (bias is not null) yield return new ScaledParameter(nameof(bias), bias, Plan.Bias!.Value);
    }
}
