namespace SparseDsl;

/// <summary>A declared layer resolved at one width and sparsity: its sizes and every tensor with the scaling the rules give it.</summary>
/// <param name="Name">Full state-dict name (<c>blocks.0.mlp.up</c>).</param>
/// <param name="Attribute">The attribute that declared it; layers read their kind's options from it.</param>
/// <param name="InFeatures">Resolved fan-in dimension (vocabulary for an embedding; the dimension for a norm or attention).</param>
/// <param name="OutFeatures">Resolved fan-out dimension.</param>
/// <param name="Sparsity">Effective sparsity after overrides (0 for kinds that take none).</param>
/// <param name="WidthMultiplier">m_d of the fan-in (1 when the fan-in is finite).</param>
/// <param name="Parameters">The layer's tensors, resolved, in state-dict order.</param>
/// <param name="Rules">The rules every scaling came from.</param>
public sealed record LayerPlan(
    string Name,
    LayerAttribute Attribute,
    int InFeatures,
    int OutFeatures,
    double Sparsity,
    double WidthMultiplier,
    IReadOnlyList<ParameterPlan> Parameters,
    ScalingRules Rules)
{
    /// <summary>The kind's description the plan was resolved from.</summary>
    public required LayerDescription Description { get; init; }

    /// <summary>For a tied readout: the full name of the embedding whose table it uses.</summary>
    public string? TiedTo { get; init; }

    /// <summary>For attention: heads, d_head, the factor on <c>qᵀk</c> and the positions (null for other kinds).</summary>
    public AttentionDescription? Attention { get; init; }

    /// <summary>For an expert bank's router: the bank (its full name, count, top-k and loss coefficients); null otherwise.</summary>
    public ExpertsDescription? Experts { get; init; }

    /// <summary>
    /// The fraction of tokens that pass through this layer: 1, or the product of k/E of the expert banks it sits in
    /// (each token uses k of a bank's E experts). <see cref="ModelCost"/> counts the layer's work times this.
    /// </summary>
    public double ActiveFraction { get; init; } = 1.0;

    /// <summary>The storage the model's options ask for (<see cref="ModelOptions.Storage"/>); <see cref="SparseDispatch"/> decides per layer.</summary>
    public WeightStorage Storage { get; init; } = WeightStorage.Auto;

    /// <summary>The kind's name as users write it (<c>SparseLinear</c>).</summary>
    public string Kind => Attribute.KindName;

    /// <summary>Whether any tensor carries a static mask.</summary>
    public bool IsMasked => Parameters.Any(p => p.IsMasked);

    /// <summary>Fraction of weights kept (1 − sparsity).</summary>
    public double Density => 1.0 - Sparsity;

    /// <summary>m_ρ = 1 − sparsity.</summary>
    public double DensityMultiplier => ScalingRules.DensityMultiplier(Sparsity);

    /// <summary>The <c>weight</c> tensor's scaling, or null when the layer has none.</summary>
    public ParameterScaling? Weight => Find("weight")?.Scaling;

    /// <summary>The <c>bias</c> tensor's scaling, or null when the layer has none.</summary>
    public ParameterScaling? Bias => Find("bias")?.Scaling;

    /// <summary>The layer's tensor called <paramref name="name"/>, or null.</summary>
    public ParameterPlan? Find(string name) => Parameters.FirstOrDefault(p => p.Name == name);

    /// <summary>The layer's tensor called <paramref name="name"/>; throws when the kind declares none.</summary>
    public ParameterPlan Parameter(string name) =>
        Find(name) ?? throw new InvalidOperationException($"Layer '{Name}' ({Kind}) has no tensor '{name}'.");

    /// <summary>The weight scaling; throws when the layer has no weight.</summary>
    public ParameterScaling RequireWeight() => Parameter("weight").Scaling;

    /// <summary>The attribute as its own type, for the layer that reads its options; throws for another kind.</summary>
    public T AttributeAs<T>() where T : LayerAttribute =>
        Attribute as T ?? throw new ArgumentException($"Layer '{Name}' is a {Kind} layer, not {typeof(T).Name[..^"Attribute".Length]}.");
}
