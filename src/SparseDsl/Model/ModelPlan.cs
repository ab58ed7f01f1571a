namespace SparseDsl;

/// <summary>
/// A declared model resolved at one width: every layer of the model and of its blocks, flattened under full
/// state-dict names, with sizes, sparsity and scaling. Generated constructors build their layers from it;
/// <see cref="Describe()"/> and <see cref="DescribeJson()"/> print it for users and reviewers.
/// </summary>
public sealed class ModelPlan
{
    private readonly Dictionary<string, LayerPlan> _byName;
    private readonly IReadOnlyDictionary<string, int> _depths;

    internal ModelPlan(string modelName, int baseWidth, int width, ModelOptions options, ScalingRules rules, IReadOnlyList<LayerPlan> layers, IReadOnlyDictionary<string, int> depths)
    {
        ModelName = modelName;
        BaseWidth = baseWidth;
        Width = width;
        Options = options;
        Rules = rules;
        Layers = layers;
        _depths = depths;
        _byName = layers.ToDictionary(l => l.Name, StringComparer.Ordinal);
    }

    /// <summary>The declared model's type name.</summary>
    public string ModelName { get; }

    /// <summary>The base (proxy) width from <see cref="WidthAttribute.Base"/>.</summary>
    public int BaseWidth { get; }

    /// <summary>The actual width.</summary>
    public int Width { get; }

    /// <summary>The options the model was built with (parameterization, base hyperparameters, sparsity and depth overrides).</summary>
    public ModelOptions Options { get; }

    /// <summary>The size of <c>"vocab"</c> in this model (the option's, else the declared default), or null when it has none.</summary>
    public int? Vocabulary { get; init; }

    /// <summary>The rules every scaling came from.</summary>
    public ScalingRules Rules { get; }

    /// <summary>Every layer of the model and its blocks, in declaration order, under full names.</summary>
    public IReadOnlyList<LayerPlan> Layers { get; }

    /// <summary>The layer with the given full name (<c>blocks.0.mlp.up</c>).</summary>
    public LayerPlan this[string name] => _byName.TryGetValue(name, out var plan)
        ? plan
        : throw new KeyNotFoundException($"Model {ModelName} has no layer '{name}'.");

    /// <summary>The number of copies of the <see cref="RepeatAttribute"/> stack with the given full name.</summary>
    public int DepthOf(string name) => _depths.TryGetValue(name, out int depth)
        ? depth
        : throw new KeyNotFoundException($"Model {ModelName} has no repeated block '{name}'.");

    /// <summary>Resolves a model's declaration tree at <paramref name="width"/>.</summary>
    /// <exception cref="ArgumentException">A width, sparsity, depth or override is invalid; the message says which.</exception>
    public static ModelPlan Create(BlockDeclaration model, int baseWidth, int width, ModelOptions? options = null)
        => PlanBuilder.Build(model, baseWidth, width, options ?? ModelOptions.Default);

    /// <summary>Resolves a flat list of layer declarations (a model without blocks) at <paramref name="width"/>.</summary>
    public static ModelPlan Create(string modelName, IReadOnlyList<LayerDeclaration> declarations, int baseWidth, int width, ModelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(declarations);
        return Create(new BlockDeclaration(modelName, declarations), baseWidth, width, options);
    }

    /// <summary>One row per trainable parameter (tied readouts included, marked): name, role, shape, fan-in, density, init, LR and forward multipliers.</summary>
    public IReadOnlyList<ParameterDescription> DescribeParameters() => ModelDescription.Parameters(this);

    /// <summary>
    /// The rows of <see cref="DescribeParameters()"/> followed by the tensors of members marked <see cref="UnscaledAttribute"/>
    /// (role <see cref="ParameterRole.Unscaled"/>), which live in the built model rather than in the plan.
    /// </summary>
    public IReadOnlyList<ParameterDescription> DescribeParameters(IEnumerable<ScaledParameter> unscaled) => ModelDescription.Parameters(this, unscaled);

    /// <summary>A fixed-width text table of <see cref="DescribeParameters()"/>, with the model's width, parameterization and attention scales.</summary>
    public string Describe() => ModelDescription.Text(this);

    /// <summary><see cref="Describe()"/> with the unscaled tensors of a built model listed as such (generated <c>Describe()</c> calls this).</summary>
    public string Describe(IEnumerable<ScaledParameter> unscaled) => ModelDescription.Text(this, unscaled);

    /// <summary>The same content as <see cref="Describe()"/>, as indented JSON (enum names as strings).</summary>
    public string DescribeJson() => ModelDescription.Json(this);

    /// <summary><see cref="DescribeJson()"/> with the unscaled tensors of a built model listed as such.</summary>
    public string DescribeJson(IEnumerable<ScaledParameter> unscaled) => ModelDescription.Json(this, unscaled);
}
