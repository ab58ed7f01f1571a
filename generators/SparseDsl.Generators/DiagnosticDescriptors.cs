using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace SparseDsl.Generators;

/// <summary>
/// Every SparseDsl diagnostic, in one place. IDs: SDSL0xx declarations the generator cannot turn into a model.
/// Each has a help page at docs/diagnostics/ID.md.
/// </summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "SparseDsl";
    // Relative to the repository root: the docs ship with the source and the package.
    private const string HelpBase = "docs/diagnostics/";

    public static readonly DiagnosticDescriptor ModelNotPartial = Error(
        "SDSL001", "Model class must be partial",
        "'{0}' has [Width] but is not partial: the generator cannot add its constructor and layers. Add the 'partial' modifier.");

    public static readonly DiagnosticDescriptor LayerNotPartialProperty = Error(
        "SDSL002", "DSL layer must be a partial get-only property",
        "'{0}' has [{1}] but is not a partial property declaration with only a getter; declare it as 'public partial {2} {0} {{ get; }}'");

    public static readonly DiagnosticDescriptor LayerWrongType = Error(
        "SDSL003", "DSL layer has the wrong type",
        "'{0}' has [{1}] and must be of type SparseDsl.{2}, not '{3}'");

    public static readonly DiagnosticDescriptor BadDimension = Error(
        "SDSL004", "Dimension expression does not parse",
        "{0} = \"{1}\" on '{2}' is not a dimension: {3}. Use an integer (\"784\"), \"width\", or width times/divided by integers (\"4*width\", \"width/2\").");

    public static readonly DiagnosticDescriptor SparsityOutOfRange = Error(
        "SDSL005", "Sparsity must be in [0, 1)",
        "Sparsity = {0} on '{1}' is outside [0, 1): it is the fraction of weights masked to zero");

    public static readonly DiagnosticDescriptor BaseWidthNotPositive = Error(
        "SDSL006", "Base width must be positive",
        "[Width(Base = {0})] on '{1}': the base width is the proxy model's width and must be positive");

    public static readonly DiagnosticDescriptor ReadoutNotFinite = Error(
        "SDSL007", "Readout and embedding vocabularies must be finite",
        "{0} on '{1}' must be a finite size (a vocabulary or number of classes), not \"{2}\"");

    public static readonly DiagnosticDescriptor UnsupportedModelShape = Error(
        "SDSL008", "Model class shape not supported",
        "'{0}' cannot be a SparseDsl model: {1}");

    public static readonly DiagnosticDescriptor SeveralLayerAttributes = Error(
        "SDSL009", "More than one DSL attribute on a layer",
        "'{0}' has several layer attributes ({1}); keep exactly one");

    private static readonly Dictionary<string, DiagnosticDescriptor> All = new()
    {
        [ModelNotPartial.Id] = ModelNotPartial,
        [LayerNotPartialProperty.Id] = LayerNotPartialProperty,
        [LayerWrongType.Id] = LayerWrongType,
        [BadDimension.Id] = BadDimension,
        [SparsityOutOfRange.Id] = SparsityOutOfRange,
        [BaseWidthNotPositive.Id] = BaseWidthNotPositive,
        [ReadoutNotFinite.Id] = ReadoutNotFinite,
        [UnsupportedModelShape.Id] = UnsupportedModelShape,
        [SeveralLayerAttributes.Id] = SeveralLayerAttributes,
    };

    public static DiagnosticDescriptor ById(string id) => All[id];

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpBase + id + ".md");
}
