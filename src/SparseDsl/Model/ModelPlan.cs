using System.Globalization;
using System.Text;

namespace SparseDsl;

/// <summary>
/// A declared model resolved at one width: every layer's sizes, sparsity and scaling. Generated constructors build
/// their layers from it; <see cref="Describe"/> prints it for users and reviewers.
/// </summary>
public sealed class ModelPlan
{
    private readonly Dictionary<string, LayerPlan> _byName;

    private ModelPlan(string modelName, int baseWidth, int width, ScalingRules rules, IReadOnlyList<LayerPlan> layers)
    {
        ModelName = modelName;
        BaseWidth = baseWidth;
        Width = width;
        Rules = rules;
        Layers = layers;
        _byName = layers.ToDictionary(l => l.Name, StringComparer.Ordinal);
    }

    /// <summary>The declared model's type name.</summary>
    public string ModelName { get; }

    /// <summary>The base (proxy) width from <see cref="WidthAttribute.Base"/>.</summary>
    public int BaseWidth { get; }

    /// <summary>The actual width.</summary>
    public int Width { get; }

    /// <summary>The rules every scaling came from.</summary>
    public ScalingRules Rules { get; }

    /// <summary>The layers, in declaration order.</summary>
    public IReadOnlyList<LayerPlan> Layers { get; }

    /// <summary>The layer with the given name.</summary>
    public LayerPlan this[string name] => _byName.TryGetValue(name, out var plan)
        ? plan
        : throw new KeyNotFoundException($"Model {ModelName} has no layer '{name}'.");

    /// <summary>Resolves <paramref name="declarations"/> at <paramref name="width"/>.</summary>
    /// <exception cref="ArgumentException">A width, sparsity or override is invalid; the message says which.</exception>
    public static ModelPlan Create(string modelName, IReadOnlyList<LayerDeclaration> declarations, int baseWidth, int width, ModelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(declarations);
        options ??= ModelOptions.Default;
        if (baseWidth <= 0) throw new ArgumentOutOfRangeException(nameof(baseWidth), baseWidth, "The base width must be positive.");
        if (width <= 0) throw new ArgumentOutOfRangeException(nameof(width), width, $"{modelName}: the width must be positive.");

        var rules = new ScalingRules(options.Parameterization, options.Hyperparameters);
        CheckOverrides(modelName, declarations, options);

        var layers = new List<LayerPlan>(declarations.Count);
        foreach (var d in declarations)
        {
            double sparsity = EffectiveSparsity(d, options);
            double densityMultiplier = ScalingRules.DensityMultiplier(sparsity);
            ParameterRole role = d.Kind switch
            {
                LayerKind.Embedding => ParameterRole.Embedding,
                LayerKind.Readout when d.Out.ScalesWithWidth =>
                    throw new ArgumentException($"{modelName}.{d.Name}: a readout's output dimension must be finite, not '{d.Out}'."),
                LayerKind.Readout => ParameterRole.Readout,
                _ => ScalingRules.RoleOf(d.In, d.Out),
            };
            double widthMultiplier = ScalingRules.WidthMultiplier(d.In, width, baseWidth);
            var weight = rules.Weight(role, widthMultiplier, densityMultiplier);
            ParameterScaling? bias = d.Bias ? rules.Weight(ParameterRole.Bias, widthMultiplier) : null;
            layers.Add(new LayerPlan(d, d.In.Resolve(width), d.Out.Resolve(width), sparsity, widthMultiplier, densityMultiplier, weight, bias));
        }
        return new ModelPlan(modelName, baseWidth, width, rules, layers);
    }

    private static double EffectiveSparsity(LayerDeclaration d, ModelOptions options)
    {
        if (d.Kind != LayerKind.SparseLinear) return 0.0;
        double s = d.Sparsity;
        if (options.Sparsity is double all) s = all;
        if (options.LayerSparsity is { } perLayer && perLayer.TryGetValue(d.Name, out double one)) s = one;
        if (!(s >= 0 && s < 1))
            throw new ArgumentOutOfRangeException(nameof(options), s, $"Layer '{d.Name}': sparsity must be in [0, 1).");
        return s;
    }

    private static void CheckOverrides(string modelName, IReadOnlyList<LayerDeclaration> declarations, ModelOptions options)
    {
        if (options.LayerSparsity is null) return;
        foreach (var name in options.LayerSparsity.Keys)
        {
            var match = declarations.FirstOrDefault(d => d.Name == name);
            if (match is null)
                throw new ArgumentException($"{modelName} has no layer '{name}' to override the sparsity of. Sparse layers: {string.Join(", ", declarations.Where(d => d.Kind == LayerKind.SparseLinear).Select(d => d.Name))}.", nameof(options));
            if (match.Kind != LayerKind.SparseLinear)
                throw new ArgumentException($"{modelName}.{name} is a {match.Kind} layer; only [SparseLinear] layers take a sparsity.", nameof(options));
        }
    }

    /// <summary>One row per parameter: name, role, shape, fan-in, density, init std, LR multiplier, forward multiplier.</summary>
    public IReadOnlyList<ParameterDescription> DescribeParameters()
    {
        var rows = new List<ParameterDescription>();
        foreach (var l in Layers)
        {
            long[] shape = l.Declaration.Kind == LayerKind.Embedding ? [l.InFeatures, l.OutFeatures] : [l.OutFeatures, l.InFeatures];
            int fanIn = l.Declaration.Kind == LayerKind.Embedding ? 1 : l.InFeatures;
            rows.Add(new($"{l.Name}.weight", l.Weight.Role, shape, fanIn, l.Density, l.Weight.InitStd, l.Weight.LearningRateMultiplier, l.Weight.ForwardMultiplier));
            if (l.Bias is { } b)
                rows.Add(new($"{l.Name}.bias", b.Role, [l.OutFeatures], fanIn, 1.0, b.InitStd, b.LearningRateMultiplier, b.ForwardMultiplier));
        }
        return rows;
    }

    /// <summary>A fixed-width text table of <see cref="DescribeParameters"/>, with the model's width and parameterization.</summary>
    public string Describe()
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(c, $"{ModelName}: width {Width} (base {BaseWidth}, m_d {(double)Width / BaseWidth:0.###}), {Rules.Parameterization}\n");
        sb.Append(c, $"{"parameter",-24} {"role",-10} {"shape",-14} {"fan-in",7} {"density",8} {"init std",10} {"LR mult",9} {"fwd mult",9}\n");
        foreach (var r in DescribeParameters())
            sb.Append(c, $"{r.Name,-24} {r.Role,-10} {string.Join("x", r.Shape),-14} {r.FanIn,7} {r.Density,8:0.####} {r.InitStd,10:0.#####} {r.LearningRateMultiplier,9:0.#####} {r.ForwardMultiplier,9:0.#####}\n");
        return sb.ToString();
    }
}

/// <summary>One parameter of a <see cref="ModelPlan"/>, as <see cref="ModelPlan.DescribeParameters"/> reports it.</summary>
/// <param name="Name">State-dict name.</param>
/// <param name="Role">The row of Table 1 that applies.</param>
/// <param name="Shape">Tensor shape.</param>
/// <param name="FanIn">Inputs per output unit (1 for an embedding row lookup).</param>
/// <param name="Density">Fraction of entries kept by the mask.</param>
/// <param name="InitStd">Init standard deviation (0: zero or unit init).</param>
/// <param name="LearningRateMultiplier">Factor on the base learning rate.</param>
/// <param name="ForwardMultiplier">Factor on the layer output.</param>
public sealed record ParameterDescription(string Name, ParameterRole Role, long[] Shape, int FanIn, double Density, double InitStd, double LearningRateMultiplier, double ForwardMultiplier);
