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
    private readonly Dictionary<string, (Parameter Value, Tensor? Mask, ParameterPlan Plan)> tensors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SparsePattern> patterns = new(StringComparer.Ordinal);

    /// <summary>Draws every tensor of <paramref name="plan"/> on the CPU (the same model on every device), moves it to <paramref name="device"/> and registers it on <paramref name="module"/>.</summary>
    /// <param name="module">The layer that owns the tensors.</param>
    /// <param name="plan">The resolved layer.</param>
    /// <param name="seed">The model seed; each tensor draws from its own stream keyed by layer and tensor name.</param>
    /// <param name="device">Where the tensors live (CPU when null).</param>
    /// <param name="skip">Tensors the layer does not own (a tied readout's weight).</param>
    public LayerTensors(Module module, LayerPlan plan, long seed, Device? device, params string[] skip)
        : this(module, plan, seed, device, sparseWeight: false, skip)
    {
    }

    /// <summary>
    /// As the other constructor; when <paramref name="sparseWeight"/> is set, the masked <c>weight</c> is stored as its
    /// kept values only: parameter <c>weight_values</c> (<c>[count]</c>, the same draws at the same kept positions as
    /// the dense weight) and the int32 pattern buffers <c>weight_rows</c> and <c>weight_columns</c> (see
    /// <see cref="SparsePattern"/>); there is no float mask.
    /// </summary>
    public LayerTensors(Module module, LayerPlan plan, long seed, Device? device, bool sparseWeight, params string[] skip)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(plan);
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
                if (sparseWeight && p.Name == "weight")
                {
                    RegisterSparse(module, p, initial, m, device);
                    continue;
                }
                mask = m.to(device);
                module.register_buffer(MaskName(p.Name), mask);
            }
            var parameter = new Parameter(initial.to(device), requires_grad: true);
            module.register_parameter(p.Name, parameter);
            tensors[p.Name] = (parameter, mask, p);
        }
    }

    // The pattern lives on the CPU with the kernels; the values go to the layer's device (the layer refuses others).
    private void RegisterSparse(Module module, ParameterPlan p, Tensor initial, Tensor mask, Device device)
    {
        var pattern = SparsePattern.FromMask(mask);
        using var kept = pattern.Gather(initial);
        var values = new Parameter(kept.to(device), requires_grad: true);
        string name = ValuesName(p.Name);
        module.register_parameter(name, values);
        module.register_buffer(RowStartsName(p.Name), pattern.RowStart);
        module.register_buffer(ColumnsName(p.Name), pattern.Column);
        tensors[name] = (values, null, p);
        patterns[p.Name] = pattern;
    }

    /// <summary>The state-dict name of a sparse-stored tensor's kept values.</summary>
    public static string ValuesName(string parameter) => parameter + "_values";

    /// <summary>The state-dict name of a sparse-stored tensor's int32 row starts.</summary>
    public static string RowStartsName(string parameter) => parameter + "_rows";

    /// <summary>The state-dict name of a sparse-stored tensor's int32 columns.</summary>
    public static string ColumnsName(string parameter) => parameter + "_columns";

    /// <summary>The pattern of tensor <paramref name="name"/> when it is stored sparse, or null.</summary>
    public SparsePattern? PatternOf(string name) => patterns.TryGetValue(name, out var p) ? p : null;

    /// <summary>Rebuilds each sparse pattern's derived index arrays from its (just loaded) row and column buffers.</summary>
    /// <exception cref="ArgumentException">A loaded pattern is not a valid one of its shape.</exception>
    public void PatternsLoaded()
    {
        foreach (var pattern in patterns.Values) pattern.Reindex();
    }

    /// <summary>The state-dict name of the mask of tensor <paramref name="parameter"/>.</summary>
    public static string MaskName(string parameter) => parameter == "weight" ? "mask" : parameter + "_mask";

    /// <summary>The tensor called <paramref name="name"/>.</summary>
    public Parameter this[string name] => tensors.TryGetValue(name, out var t) ? t.Value : throw new KeyNotFoundException($"No tensor '{name}'.");

    /// <summary>The tensor called <paramref name="name"/>, or null when the layer has none.</summary>
    public Parameter? Find(string name) => tensors.TryGetValue(name, out var t) ? t.Value : null;

    /// <summary>The mask of tensor <paramref name="name"/>, or null when it is dense.</summary>
    public Tensor? MaskOf(string name) => tensors.TryGetValue(name, out var t) ? t.Mask : null;

    /// <summary>Every owned tensor with its scaling, in plan order (names relative to the layer).</summary>
    public IEnumerable<ScaledParameter> Scaled() => tensors.Select(t => new ScaledParameter(t.Key, t.Value.Value, t.Value.Plan.Scaling));

    private static Tensor Initial(ParameterPlan p, string layer, long seed) => p.Init switch
    {
        ParameterInit.Ones => ones(p.Shape, ScalarType.Float32, CPU),
        ParameterInit.Zeros => zeros(p.Shape, ScalarType.Float32, CPU),
        _ => SeededInit.Normal(p.Shape, p.Scaling.InitStd, seed, layer, p.Name),
    };
}
