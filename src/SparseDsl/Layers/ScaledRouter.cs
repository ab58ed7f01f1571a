using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SparseDsl;

/// <summary>
/// The router of an <see cref="ExpertBank{TBlock}"/>: logits <c>z = m · x W_rᵀ</c> over the bank's experts, with
/// <c>W_r</c> of shape <c>[Count, In]</c> and the forward multiplier <c>m</c> from <see cref="ScalingRules"/> (1/m_d
/// under μP and SμPar, 1 under SP). State-dict entry: <c>weight</c>. The bank does the routing itself.
/// </summary>
public sealed class ScaledRouter : Module<Tensor, Tensor>, IScaledLayer
{
    // The field name matches the registered name, as in TorchSharp's own modules.
    private readonly Parameter weight;
    private readonly LayerTensors tensors;
    private readonly double forwardMultiplier;
    // Made once: a double operand would become a native Scalar per call that only a finalizer frees (issue 24).
    private readonly Scalar forwardScalar;

    /// <summary>Builds the router on <paramref name="device"/> with draws seeded by <paramref name="seed"/>.</summary>
    public ScaledRouter(LayerPlan plan, long seed, Device? device = null) : base(plan.Name)
    {
        ArgumentNullException.ThrowIfNull(plan);
        Options = plan.AttributeAs<ExpertsAttribute>();
        Plan = plan;
        forwardMultiplier = plan.RequireWeight().ForwardMultiplier;
        forwardScalar = forwardMultiplier.ToScalar();
        tensors = new LayerTensors(this, plan, seed, device);
        weight = tensors["weight"];
    }

    /// <inheritdoc />
    public LayerPlan Plan { get; }

    /// <summary>The bank's declared options: count, top-k, loss coefficients.</summary>
    public ExpertsAttribute Options { get; }

    /// <summary>The router weight, <c>[Count, In]</c>.</summary>
    public Parameter Weight => weight;

    /// <summary>The factor applied to <c>x W_rᵀ</c>.</summary>
    public double ForwardMultiplier => forwardMultiplier;

    /// <summary>Maps tokens <c>[..., In]</c> to router logits <c>[..., Count]</c>.</summary>
    public override Tensor forward(Tensor input)
    {
        var logits = functional.linear(input, weight);
        if (forwardMultiplier != 1.0) logits.mul_(forwardScalar);
        return logits;
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
