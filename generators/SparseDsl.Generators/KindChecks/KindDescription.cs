namespace SparseDsl.Generators.KindChecks;

/// <summary>
/// The generator's side of a layer kind: the compile-time checks of its attribute's values (each a SparseDsl
/// diagnostic, so a bad value is reported at the declaration), what the analyzers and SAT need to know of its
/// dimensions, and which raw TorchSharp types it replaces (SDSL101 and its code fix). The runtime side is the
/// attribute's own <c>Describe</c>; defaults come from the linked <c>SparseDsl.AttributeDefaults</c>, never from here.
/// </summary>
/// <remarks>Every non-abstract subclass in this assembly is found by <see cref="KindRegistry"/>: adding a kind adds a file, not a list entry.</remarks>
internal abstract class KindDescription
{
    /// <summary>The attribute's metadata name, <c>SparseDsl.ConvAttribute</c>.</summary>
    public abstract string AttributeName { get; }

    /// <summary>The attribute as users write it, <c>Conv</c>.</summary>
    public string ShortName => AttributeName.Substring(AttributeName.LastIndexOf('.') + 1).Replace("Attribute", "");

    /// <summary>Raw TorchSharp types (metadata names) that this kind replaces, for SDSL101.</summary>
    public virtual string[] Replaces => System.Array.Empty<string>();

    /// <summary>
    /// The attribute a user should write instead of a raw layer (SDSL101's message and code fix), given the raw
    /// constructor's arguments when they are literals (<c>nn.Conv2d(3, 64, 4)</c>).
    /// </summary>
    public virtual string Suggest(string rawType, string[] literalArguments) => ShortName;

    /// <summary>
    /// For a kind that holds copies of a [Block] (an expert bank): the property's generic type, metadata form
    /// (<c>SparseDsl.ExpertBank&lt;TBlock&gt;</c>), whose one type argument must be a [Block] class. Null for plain layers,
    /// whose property type is the attribute's <c>TLayer</c>.
    /// </summary>
    public virtual string? Container => null;

    /// <summary>Reads and checks the attribute's values; problems go to <paramref name="arguments"/> as diagnostics.</summary>
    public abstract KindShape Read(KindArguments arguments);
}
