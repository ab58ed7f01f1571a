namespace SparseDsl.Generators.Tests.Fuzz;

/// <summary>
/// Generator bugs found while widening the fuzz test, not fixed here. The drawers still draw each one, expect what the
/// generator does today and name the bug from this list, so a fix fails the test exactly where an expectation must flip
/// (then delete the entry).
/// </summary>
internal static class KnownBugs
{
    /// <summary>
    /// <c>[Attention(KeyValueDim = null)]</c> and <c>[Parameter(Shape = "width", FanIn = null)]</c>: null is the
    /// documented default of these <c>string?</c> options (the runtime reads it as "same as Dim" and "no fan-in"), but the
    /// generator reports SDSL004 "it is empty" (KindArguments.Dimension reads an explicit null as "").
    /// </summary>
    public const string ExplicitNullDimension = "an explicit null optional dimension is refused with SDSL004";

    /// <summary>
    /// <c>[Linear] public partial ScaledLinear @class { get; }</c>: no diagnostic, and the generated property (and the
    /// error shell's) is written without its '@', so the generated code does not parse (CS1003, CS1001).
    /// </summary>
    public const string KeywordName = "a layer named by a C# keyword generates code that does not parse";

    /// <summary>
    /// <c>[Linear] public partial ScaledLinear Plan { get; }</c> (or Declaration, BaseWidth, Seed): no diagnostic, and
    /// the generated model declares or uses a member of that name (CS0102, CS0229, CS0029).
    /// </summary>
    public const string GeneratedMemberName = "a layer named like a generated member generates code that does not compile";

    /// <summary>
    /// <c>[Linear] public partial ScaledLinear head { get; }</c>, or <c>FooBar</c> beside <c>Foo_Bar</c>: no diagnostic,
    /// and the generated field <c>@head</c> (the state name) collides with the property or with the other layer's field (CS0102).
    /// </summary>
    public const string StateNameCollision = "a layer whose state name is its own name or another layer's generates a duplicate member";
}
