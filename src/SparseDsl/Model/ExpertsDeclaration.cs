namespace SparseDsl;

/// <summary>
/// A mixture-of-experts bank (<see cref="ExpertsAttribute"/> on a property of type <see cref="ExpertBank{TBlock}"/>):
/// its router is the layer <c>{Name}.router</c>, and its experts are <see cref="ExpertsAttribute.Count"/> copies of the
/// block under <c>{Name}.experts.{i}.</c>.
/// </summary>
/// <param name="Name">State-dict prefix of the bank.</param>
/// <param name="Block">The expert block's declaration; a function, as for <see cref="ChildDeclaration"/>.</param>
/// <param name="Attribute">The bank's attribute: counts, coefficients and the router's input dimension.</param>
public sealed record ExpertsDeclaration(string Name, Func<BlockDeclaration> Block, ExpertsAttribute Attribute) : MemberDeclaration(Name)
{
    /// <summary>The router's name within the block that declares the bank.</summary>
    public string RouterName => Name + ".router";

    /// <summary>The prefix of expert <paramref name="index"/> within the block that declares the bank, ending in a dot.</summary>
    public string ExpertPrefix(int index) => $"{Name}.experts.{index.ToString(System.Globalization.CultureInfo.InvariantCulture)}.";
}
