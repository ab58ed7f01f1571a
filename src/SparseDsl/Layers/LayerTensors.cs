using TorchSharp;
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
    // Keyed by registered name: "weight", or "weight_values" for a sparse-stored weight.
    private readonly Dictionary<string, (bool Masked, ParameterPlan Plan)> tensors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SparsePattern> patterns = new(StringComparer.Ordinal);
    private readonly Module module;
    private readonly string layer;

    /// <summary>Disposes the sparse patterns' arrays, as they are (never throws for a model moved off the CPU).</summary>
    public void DisposePatterns()
    {
        foreach (var pattern in patterns.Values) pattern.Dispose();
    }

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
        this.module = module;
        layer = plan.Name;
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
            tensors[p.Name] = (mask is not null, p);
        }
    }

    // The pattern lives on the CPU with the kernels; the values go to the layer's device (the layer refuses others).
    // A weight of more than two dimensions (a convolution's [out, in, k(, k)]) is stored as its row-major flattening
    // [out, rest], so its kept positions and values are the same ones in the same order.
    private void RegisterSparse(Module module, ParameterPlan p, Tensor initial, Tensor mask, Device device)
    {
        using var maskMatrix = mask.reshape(mask.shape[0], -1);
        using var initialMatrix = initial.reshape(initial.shape[0], -1);
        var pattern = SparsePattern.FromMask(maskMatrix);
        using var kept = pattern.Gather(initialMatrix);
        var values = new Parameter(kept.to(device), requires_grad: true);
        string name = ValuesName(p.Name);
        module.register_parameter(name, values);
        module.register_buffer(RowStartsName(p.Name), pattern.RowStart);
        module.register_buffer(ColumnsName(p.Name), pattern.Column);
        tensors[name] = (false, p);
        patterns[p.Name] = pattern;
    }

    /// <summary>The state-dict name of a sparse-stored tensor's kept values.</summary>
    public static string ValuesName(string parameter) => parameter + "_values";

    /// <summary>The state-dict name of a sparse-stored tensor's int32 row starts.</summary>
    public static string RowStartsName(string parameter) => parameter + "_rows";

    /// <summary>The state-dict name of a sparse-stored tensor's int32 columns.</summary>
    public static string ColumnsName(string parameter) => parameter + "_columns";

    /// <summary>
    /// The pattern of tensor <paramref name="name"/> when it is stored sparse, or null. Its <see cref="SparsePattern.RowStart"/>
    /// and <see cref="SparsePattern.Column"/> are the registered <c>_rows</c> and <c>_columns</c> buffers themselves.
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// <c>Module.to(...)</c> moved the pattern buffers off the CPU (the sparse kernels, and so the pattern, read them in
    /// CPU memory).
    /// </exception>
    /// <exception cref="ArgumentException">The registered buffers were replaced by arrays that are not a pattern of this tensor.</exception>
    public SparsePattern? PatternOf(string name)
    {
        if (!patterns.TryGetValue(name, out var pattern)) return null;
        Follow(name, pattern);
        return pattern;
    }

    /// <summary>Checks each sparse pattern's (just loaded) row and column buffers and rebuilds the index arrays derived from them.</summary>
    /// <exception cref="ArgumentException">A loaded pattern is not a valid one of its shape.</exception>
    /// <exception cref="InvalidOperationException">A pattern's buffers are not in CPU memory (see <see cref="PatternOf"/>).</exception>
    public void PatternsLoaded()
    {
        foreach (var (name, pattern) in patterns)
            if (!Follow(name, pattern)) pattern.Reindex(); // a rebound pattern was just checked and re-derived
    }

    // Module.to(...) replaces every registered buffer with a converted copy and disposes the old one, int32 index buffers
    // included (a dtype change copies them unchanged, a device move moves them). The registry is what a checkpoint is
    // loaded into and saved from, so the pattern takes the registered buffers rather than keeping arrays of its own that
    // could silently differ from them; its transposed arrays, which are not registered, are rebuilt from them.
    // Returns whether the pattern was rebound.
    private bool Follow(string name, SparsePattern pattern)
    {
        var rows = module.get_buffer(RowStartsName(name));
        var columns = module.get_buffer(ColumnsName(name));
        if (ReferenceEquals(rows, pattern.RowStart) && ReferenceEquals(columns, pattern.Column)) return false;
        if (rows is null || columns is null)
            throw new InvalidOperationException($"'{layer}' is stored sparse, but its buffers '{RowStartsName(name)}' and '{ColumnsName(name)}' are no longer registered.");
        if (rows.device_type != DeviceType.CPU || columns.device_type != DeviceType.CPU)
            throw new InvalidOperationException(
                $"'{layer}' is stored sparse and its pattern ('{RowStartsName(name)}', '{ColumnsName(name)}') is now on {rows.device}: " +
                $"the sparse kernels read it in CPU memory. Move the model back with to(CPU), or build it with WeightStorage.Dense " +
                $"(--storage dense, or Auto, which picks dense off the CPU) to run it on {rows.device}.");
        try
        {
            pattern.Rebind(rows, columns);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"'{layer}' is stored sparse and its registered pattern buffers are not a pattern of it: {e.Message}", e);
        }
        return true;
    }

    /// <summary>The state-dict name of the mask of tensor <paramref name="parameter"/>.</summary>
    public static string MaskName(string parameter) => parameter == "weight" ? "mask" : parameter + "_mask";

    /// <summary>The tensor called <paramref name="name"/>.</summary>
    public Parameter this[string name] => Find(name) ?? throw new KeyNotFoundException($"No tensor '{name}'.");

    /// <summary>The tensor called <paramref name="name"/>, or null when the layer has none.</summary>
    public Parameter? Find(string name) => tensors.ContainsKey(name) ? module.get_parameter(name) : null;

    /// <summary>The mask of tensor <paramref name="name"/>, or null when it is dense.</summary>
    public Tensor? MaskOf(string name) => tensors.TryGetValue(name, out var t) && t.Masked ? module.get_buffer(MaskName(name)) : null;

    /// <summary>Every owned tensor with its scaling, in plan order (names relative to the layer, as registered), as currently registered.</summary>
    public IEnumerable<ScaledParameter> Scaled() => tensors.Select(t => new ScaledParameter(t.Key, this[t.Key], t.Value.Plan.Scaling));

    private static Tensor Initial(ParameterPlan p, string layer, long seed) => p.Init switch
    {
        ParameterInit.Ones => ones(p.Shape, ScalarType.Float32, CPU),
        ParameterInit.Zeros => zeros(p.Shape, ScalarType.Float32, CPU),
        _ => SeededInit.Normal(p.Shape, p.Scaling.InitStd, seed, layer, p.Name),
    };
}
