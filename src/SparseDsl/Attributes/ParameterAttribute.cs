namespace SparseDsl;

/// <summary>
/// A free tensor — a class token, a position table, a layer-scale vector, a gate, a bias of your own — on a
/// <c>partial</c> property of type <see cref="ScaledTensor"/>. Its role follows from how many dimensions of
/// <see cref="Shape"/> scale with width, as μP's infshape decides: one (or none) is vector-like (init σ or the declared
/// constant, base learning rate, no multiplier); two is a hidden matrix, read along <see cref="FanIn"/>, with the hidden
/// rules; more has no rule and is refused.
/// </summary>
/// <example><c>[Parameter(Shape = "1,1,width")] public partial ScaledTensor ClassToken { get; }</c></example>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class ParameterAttribute : LayerAttribute<ScaledTensor>
{
    /// <summary>The shape as comma-separated dimension expressions: <c>"1,1,width"</c>, <c>"context,width"</c> written <c>"256,width"</c>. Required.</summary>
    public string Shape { get; set; } = "";

    /// <summary>For a matrix-like tensor (two dimensions scale with width): the dimension each output reads, one of <see cref="Shape"/>'s.</summary>
    public string? FanIn { get; set; }

    /// <summary>How the tensor starts: <see cref="ParameterInit.Normal"/> (σ from the rules, the default), <see cref="ParameterInit.Zeros"/> or <see cref="ParameterInit.Ones"/>.</summary>
    public ParameterInit Init { get; set; } = ParameterInit.Normal;

    /// <summary>Whether decoupled weight decay applies. Default false, as for position tables and class tokens in common practice.</summary>
    public bool WeightDecay { get; set; }

    /// <inheritdoc />
    public override LayerDescription Describe(LayerContext context)
    {
        if (Init is not (ParameterInit.Normal or ParameterInit.Zeros or ParameterInit.Ones))
            throw new ArgumentException($"Init = {Init}: a free tensor starts Normal, Zeros or Ones");
        if (string.IsNullOrWhiteSpace(Shape)) throw new ArgumentException("Shape is not set; give it as comma-separated dimension expressions such as \"1,1,width\"");
        var shape = Shape.Split(',').Select((text, i) => ParseDimension($"{nameof(Shape)}[{i}]", text.Trim())).ToList();
        var fanIn = FanIn is null ? (Dimension?)null : ParseDimension(nameof(FanIn), FanIn);
        // Refuse what has no rule now, with the message a user can act on (the plan would say the same, later).
        ScalingRules.RoleOfShape(shape, fanIn);
        var nothing = Dimension.Fixed(1);
        return new(nothing, nothing, [new ParameterDeclaration("value", shape, Init) { FanIn = fanIn, WeightDecay = WeightDecay }]);
    }
}
