namespace SparseDsl;

/// <summary>
/// The base of every layer attribute (<see cref="LinearAttribute"/>, <c>[Conv]</c>, …). A layer kind is
/// this attribute, which says what parameters the layer has (<see cref="Describe"/>), plus the runtime layer that
/// uses them. Everything else — plans, Describe, checkpoints, optimizer groups, the generator — works from the
/// description, so a new kind needs no change anywhere else.
/// </summary>
/// <remarks>Derive from <see cref="LayerAttribute{TLayer}"/>, which names the layer type the generator builds.</remarks>
public abstract class LayerAttribute : Attribute
{
    private protected LayerAttribute()
    {
    }

    /// <summary>The name users write (<c>SparseLinear</c> for <see cref="SparseLinearAttribute"/>).</summary>
    public string KindName => GetType().Name.EndsWith("Attribute", StringComparison.Ordinal) ? GetType().Name[..^"Attribute".Length] : GetType().Name;

    /// <summary>
    /// The layer's dimensions and parameters as dimension expressions, with each parameter's role, fan-in, init and
    /// whether the sparsity mask applies. Roles and multipliers are not decided here: <see cref="ScalingRules"/> gives
    /// them from the description.
    /// </summary>
    /// <param name="context">The layer's name and sizes at the width being built, for checks that need them.</param>
    /// <exception cref="ArgumentException">The attribute's values cannot make a layer; the message says which and why.</exception>
    public abstract LayerDescription Describe(LayerContext context);

    /// <summary>Parses the dimension expression of option <paramref name="option"/>; a bad one names the option.</summary>
    /// <exception cref="ArgumentException">The text is empty or not a dimension expression.</exception>
    protected static Dimension ParseDimension(string option, string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) throw new ArgumentException($"{option} is not set; give it as a dimension expression such as \"width\" or \"10\"");
        try { return Dimension.Parse(text); }
        catch (ArgumentException e) { throw new ArgumentException($"{option} = \"{text}\": {e.Message}", e); }
    }
}

/// <summary>A layer attribute whose layers the generator builds as <typeparamref name="TLayer"/>, from their <see cref="LayerPlan"/>.</summary>
/// <typeparam name="TLayer">The runtime layer: it has a constructor <c>(LayerPlan plan, long seed, Device? device)</c>.</typeparam>
public abstract class LayerAttribute<TLayer> : LayerAttribute
    where TLayer : IScaledLayer
{
}
