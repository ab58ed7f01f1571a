using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SparseDsl;

/// <summary>
/// A layer of one weight and one forward multiplier: <c>m · f(x, W)</c>, with <c>W</c> drawn and registered by
/// <see cref="LayerTensors"/> from the layer's plan and <c>m</c> from <see cref="ScalingRules"/>. The token embedding
/// (a row lookup) and the expert router (a matmul) are built on it. State-dict entry: <c>weight</c>.
/// </summary>
public abstract class ScaledWeightLayer : Module<Tensor, Tensor>, IScaledLayer
{
    private readonly LayerTensors tensors;
    private readonly double forwardMultiplier;
    // Made once: a double operand would become a native Scalar per call that only a finalizer frees (issue 24).
    private readonly Scalar forwardScalar;

    /// <summary>Builds the weight of <paramref name="plan"/> on <paramref name="device"/> with draws seeded by <paramref name="seed"/>.</summary>
    /// <param name="plan">The resolved layer; a derived layer checks its kind before calling this.</param>
    /// <param name="seed">The model seed.</param>
    /// <param name="device">Where the weight lives (CPU when null).</param>
    private protected ScaledWeightLayer(LayerPlan plan, long seed, Device? device) : base(plan.Name)
    {
        ArgumentNullException.ThrowIfNull(plan);
        Plan = plan;
        forwardMultiplier = plan.RequireWeight().ForwardMultiplier;
        forwardScalar = forwardMultiplier.ToScalar();
        tensors = new LayerTensors(this, plan, seed, device);
    }

    /// <inheritdoc />
    public LayerPlan Plan { get; }

    /// <summary>The weight as registered now (after <c>to(...)</c>, the converted one).</summary>
    // Read from the registry, not a field of this class: Module.to(...) rebinds only fields the concrete type declares.
    public Parameter Weight => tensors["weight"];

    /// <summary>The forward multiplier <c>m</c>.</summary>
    public double ForwardMultiplier => forwardMultiplier;

    /// <summary>Multiplies <paramref name="y"/> by <see cref="ForwardMultiplier"/> in place (nothing when it is 1) and returns it.</summary>
    private protected Tensor Scaled(Tensor y)
    {
        if (forwardMultiplier != 1.0) y.mul_(forwardScalar);
        return y;
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
