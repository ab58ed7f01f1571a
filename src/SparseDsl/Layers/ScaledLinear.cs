using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SparseDsl;

/// <summary>
/// A linear layer <c>y = m · x (W ⊙ M)ᵀ + b</c> built from a <see cref="LayerPlan"/>: init std, mask and forward
/// multiplier <c>m</c> all come from <see cref="ScalingRules"/>. State-dict entries: <c>weight</c>, <c>bias</c>
/// (when declared) and the persistent buffer <c>mask</c> (sparse layers), so masks are saved with the model.
/// </summary>
/// <remarks>
/// Masked entries of <c>weight</c> are zeroed at construction. They then get zero gradient, zero Adam moments
/// and zero updates, and decoupled weight decay keeps zero at zero: the stored weight equals <c>W ⊙ M</c>
/// after any number of AdamW steps.
/// </remarks>
public sealed class ScaledLinear : Module<Tensor, Tensor>, IScaledLayer
{
    // Field names match the registered names, as in TorchSharp's own modules.
    private readonly Parameter weight;
    private readonly Parameter? bias;
    private readonly Tensor? mask;
    private readonly double forwardMultiplier;

    /// <summary>Builds the layer on <paramref name="device"/> with draws seeded by <paramref name="seed"/>.</summary>
    public ScaledLinear(LayerPlan plan, long seed, Device? device = null) : base(plan.Name)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.Declaration.Kind == LayerKind.Embedding)
            throw new ArgumentException($"Layer '{plan.Name}' is an embedding; use {nameof(ScaledEmbedding)}.", nameof(plan));
        Plan = plan;
        device ??= CPU;
        forwardMultiplier = plan.Weight.ForwardMultiplier;
        long[] shape = [plan.OutFeatures, plan.InFeatures];

        using var w = SeededInit.Normal(shape, plan.Weight.InitStd, seed, plan.Name, "weight");
        if (plan.IsMasked)
        {
            using var m = SeededInit.ExactMask(shape, plan.Density, seed, plan.Name);
            w.mul_(m);
            mask = m.to(device);
            register_buffer(nameof(mask), mask);
        }
        weight = new Parameter(w.to(device), requires_grad: true);
        register_parameter(nameof(weight), weight);
        if (plan.Bias is not null)
        {
            bias = new Parameter(zeros(plan.OutFeatures, ScalarType.Float32, device), requires_grad: true);
            register_parameter(nameof(bias), bias);
        }
    }

    /// <inheritdoc />
    public LayerPlan Plan { get; }

    /// <summary>The stored dense weight, <c>[out, in]</c>. Zero wherever <see cref="Mask"/> is zero.</summary>
    public Parameter Weight => weight;

    /// <summary>The bias, or null.</summary>
    public Parameter? Bias => bias;

    /// <summary>The static 0/1 mask (float32, same shape as <see cref="Weight"/>), or null for a dense layer.</summary>
    public Tensor? Mask => mask;

    /// <summary>The factor applied to <c>x Wᵀ</c> in the forward pass.</summary>
    public double ForwardMultiplier => forwardMultiplier;

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var masked = mask is null ? null : weight.mul(mask);
        var effective = masked ?? (Tensor)weight;
        if (forwardMultiplier == 1.0)
            return functional.linear(input, effective, bias);
        var y = functional.linear(input, effective);
        y.mul_(forwardMultiplier);
        if (bias is not null) y.add_(bias);
        return y;
    }

    /// <summary>A detached copy of the weight the model actually uses, <c>W ⊙ M</c>.</summary>
    public Tensor EffectiveWeight()
    {
        using var _ = no_grad();
        return mask is null ? weight.detach().clone() : weight.detach().mul(mask);
    }

    /// <inheritdoc />
    public IEnumerable<ScaledParameter> ScaledParameters()
    {
        yield return new ScaledParameter(nameof(weight), weight, Plan.Weight);
        if (bias is not null) yield return new ScaledParameter(nameof(bias), bias, Plan.Bias!.Value);
    }
}
