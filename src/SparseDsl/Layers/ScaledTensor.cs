using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SparseDsl;

/// <summary>
/// A free tensor declared with <see cref="ParameterAttribute"/>: initialised, trained and described by the scaling rules
/// like any layer's tensor. Use <see cref="Value"/> (or the tensor itself: it converts implicitly) in the model's forward
/// pass. State-dict entry: <c>value</c>.
/// </summary>
public sealed class ScaledTensor : Module, IScaledLayer
{
    // The field name matches the registered name, as in TorchSharp's own modules.
    private readonly Parameter value;
    private readonly LayerTensors tensors;

    /// <summary>Builds the tensor on <paramref name="device"/> with draws seeded by <paramref name="seed"/>.</summary>
    public ScaledTensor(LayerPlan plan, long seed, Device? device = null) : base(plan.Name)
    {
        ArgumentNullException.ThrowIfNull(plan);
        plan.AttributeAs<ParameterAttribute>();
        Plan = plan;
        tensors = new LayerTensors(this, plan, seed, device);
        value = tensors["value"];
    }

    /// <inheritdoc />
    public LayerPlan Plan { get; }

    /// <summary>The trainable tensor.</summary>
    public Parameter Value => value;

    /// <summary>The tensor itself, so a declared parameter reads like one: <c>x + PositionTable</c>.</summary>
    public static implicit operator Tensor(ScaledTensor tensor) => tensor?.Value ?? throw new ArgumentNullException(nameof(tensor));

    /// <inheritdoc />
    public IEnumerable<ScaledParameter> ScaledParameters() => tensors.Scaled();
}
