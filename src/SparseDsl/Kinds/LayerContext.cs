namespace SparseDsl;

/// <summary>What a layer attribute may consult while it describes itself: its full name, the widths and the rules.</summary>
/// <param name="Name">The layer's full state-dict name (<c>blocks.0.attention</c>), for messages.</param>
/// <param name="Width">The width being built.</param>
/// <param name="BaseWidth">The model's base width.</param>
/// <param name="Rules">The scaling rules of the model being built.</param>
public sealed record LayerContext(string Name, int Width, int BaseWidth, ScalingRules Rules)
{
    /// <summary>The size of <c>"vocab"</c> in the model being built, or null when it has none.</summary>
    public int? Vocabulary { get; init; }

    /// <summary>A dimension expression's size at <see cref="Width"/>.</summary>
    /// <exception cref="ArgumentException">The expression does not parse, is not whole at this width, or is <c>vocab</c> in a model without one.</exception>
    public int Resolve(string expression) => Dimension.Parse(expression).Resolve(Width, Vocabulary);

    /// <summary>A dimension's size at <see cref="Width"/>.</summary>
    public int Resolve(Dimension dimension) => dimension.Resolve(Width, Vocabulary);
}
