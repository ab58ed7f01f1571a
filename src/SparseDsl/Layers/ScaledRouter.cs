using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SparseDsl;

/// <summary>
/// The router of an <see cref="ExpertBank{TBlock}"/>: logits <c>z = m · x W_rᵀ</c> over the bank's experts, with
/// <c>W_r</c> of shape <c>[Count, In]</c> and the forward multiplier <c>m</c> from <see cref="ScalingRules"/> (1/m_d
/// under μP and SμPar, 1 under SP). State-dict entry: <c>weight</c>. The bank does the routing itself.
/// </summary>
public sealed class ScaledRouter : ScaledWeightLayer
{
    /// <summary>Builds the router on <paramref name="device"/> with draws seeded by <paramref name="seed"/>.</summary>
    public ScaledRouter(LayerPlan plan, long seed, Device? device = null) : base(Checked(plan), seed, device)
    {
        Options = plan.AttributeAs<ExpertsAttribute>();
    }

    // The kind is checked before anything is drawn.
    private static LayerPlan Checked(LayerPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        plan.AttributeAs<ExpertsAttribute>();
        return plan;
    }

    /// <summary>The bank's declared options: count, top-k, loss coefficients.</summary>
    public ExpertsAttribute Options { get; }

    /// <summary>Maps tokens <c>[..., In]</c> to router logits <c>[..., Count]</c>.</summary>
    public override Tensor forward(Tensor input) => Scaled(functional.linear(input, Weight));
}
