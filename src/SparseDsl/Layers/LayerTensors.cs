using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SparseDsl;

/// <summary>
/// Builds and registers a layer's tensors from its plan, so every kind initialises, masks and reports its parameters
/// the same way: normal draws seeded per layer and tensor, zeros, ones, and exact seeded masks for masked tensors.
/// </summary>
/// <remarks>
/// Masked entries are zeroed at construction. They then get zero gradient, zero Adam moments and zero updates, and
/// decoupled weight decay keeps zero at zero: the stored tensor equals <c>W ⊙ M</c> after any number of AdamW steps.
/// </remarks>
public sealed class LayerTensors
{
    // Names and plans only: the tensors themselves are read from the module's registry on every access, because
    // Module.to(...) replaces each registered parameter and buffer with a converted copy (a stored reference would go stale).
    private readonly Dictionary<string, (bool Masked, ParameterPlan Plan)> tensors = new(StringComparer.Ordinal);
    private readonly Module module;

    /// <summary>Draws every tensor of <paramref name="plan"/> on the CPU (the same model on every device), moves it to <paramref name="device"/> and registers it on <paramref name="module"/>.</summary>
    /// <param name="module">The layer that owns the tensors.</param>
    /// <param name="plan">The resolved layer.</param>
    /// <param name="seed">The model seed; each tensor draws from its own stream keyed by layer and tensor name.</param>
    /// <param name="device">Where the tensors live (CPU when null).</param>
    /// <param name="skip">Tensors the layer does not own (a tied readout's weight).</param>
    public LayerTensors(Module module, LayerPlan plan, long seed, Device? device, params string[] skip)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(plan);
        this.module = module;
        device ??= CPU;
        foreach (var p in plan.Parameters.Where(p => !skip.Contains(p.Name)))
        {
            using var initial = Initial(p, plan.Name, seed);
            Tensor? mask = null;
            if (p.IsMasked)
            {
                // The weight's mask keeps its historical stream and buffer name ("mask"), so saved models still load.
                string stream = p.Name == "weight" ? plan.Name : plan.Name + "." + p.Name;
                using var m = SeededInit.ExactMask(p.Shape, p.Density, seed, stream);
                initial.mul_(m);
                mask = m.to(device);
                module.register_buffer(MaskName(p.Name), mask);
            }
            var parameter = new Parameter(initial.to(device), requires_grad: true);
            module.register_parameter(p.Name, parameter);
            tensors[p.Name] = (mask is not null, p);
        }
    }

    /// <summary>The state-dict name of the mask of tensor <paramref name="parameter"/>.</summary>
    public static string MaskName(string parameter) => parameter == "weight" ? "mask" : parameter + "_mask";

    /// <summary>The tensor called <paramref name="name"/>.</summary>
    public Parameter this[string name] => Find(name) ?? throw new KeyNotFoundException($"No tensor '{name}'.");

    /// <summary>The tensor called <paramref name="name"/>, or null when the layer has none.</summary>
    public Parameter? Find(string name) => tensors.ContainsKey(name) ? module.get_parameter(name) : null;

    /// <summary>The mask of tensor <paramref name="name"/>, or null when it is dense.</summary>
    public Tensor? MaskOf(string name) => tensors.TryGetValue(name, out var t) && t.Masked ? module.get_buffer(MaskName(name)) : null;

    /// <summary>Every owned tensor with its scaling, in plan order (names relative to the layer), as currently registered.</summary>
    public IEnumerable<ScaledParameter> Scaled() => tensors.Values.Select(t => new ScaledParameter(t.Plan.Name, this[t.Plan.Name], t.Plan.Scaling));

    private static Tensor Initial(ParameterPlan p, string layer, long seed) => p.Init switch
    {
        ParameterInit.Ones => ones(p.Shape, ScalarType.Float32, CPU),
        ParameterInit.Zeros => zeros(p.Shape, ScalarType.Float32, CPU),
        _ => SeededInit.Normal(p.Shape, p.Scaling.InitStd, seed, layer, p.Name),
    };
}
