using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using SparseDsl.Generators.KindChecks;
using SparseDsl.Generators.Specs;

namespace SparseDsl.Generators.Parsing;

/// <summary>
/// The checks <see cref="ModelParser"/> runs while it walks a [Width] or [Block] class: each reports its SDSL
/// diagnostic into the list it is given. A check that guards one member returns whether the walk may go on with it;
/// a check over the class's layers drops the layers it reports, so the spec never holds what cannot be generated.
/// </summary>
internal static class ModelValidator
{
    /// <summary>SDSL001 (not partial) and SDSL008 (both [Width] and [Block], nested, generic, static).</summary>
    public static void CheckClassShape(INamedTypeSymbol type, ClassDeclarationSyntax node, bool isBlock, Location nameLocation, List<DiagnosticInfo> diagnostics)
    {
        if (!node.Modifiers.Any(SyntaxKind.PartialKeyword))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ModelNotPartial, nameLocation, type.Name, isBlock ? "Block" : "Width"));
        if (!isBlock && type.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == ModelParser.BlockAttributeName))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedModelShape, nameLocation, type.Name, "it has both [Width] and [Block]; a block takes its width from its model, so keep one"));
        if (type.ContainingType is not null)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedModelShape, nameLocation, type.Name, "it is nested in another type; declare it at namespace level"));
        if (type.TypeParameters.Length > 0)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedModelShape, nameLocation, type.Name, "it is generic"));
        if (type.IsStatic)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedModelShape, nameLocation, type.Name, "it is static"));
    }

    /// <summary>SDSL012 for a vocabulary that is not positive and SDSL006 for a base width that is not, on a [Width] model.</summary>
    public static void CheckModelOptions(INamedTypeSymbol type, AttributeData widthAttribute, int baseWidth, int? vocab, Location nameLocation, List<DiagnosticInfo> diagnostics)
    {
        var location = ModelParser.AttributeLocation(widthAttribute, nameLocation);
        if (vocab is <= 0)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LayerOptionOutOfRange, location,
                $"[Width(Vocab = {Invariant(vocab.Value)})]", type.Name, "the vocabulary must be positive (leave Vocab out when the model sets it only at run time)"));
        if (baseWidth <= 0)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BaseWidthNotPositive, location, Invariant(baseWidth), type.Name));
    }

    /// <summary>SDSL009: a member carries one DSL attribute at most.</summary>
    public static bool HasOneDslAttribute(ISymbol member, List<AttributeData> attributes, List<DiagnosticInfo> diagnostics)
    {
        if (attributes.Count == 1) return true;
        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SeveralLayerAttributes, member.Locations.FirstOrDefault(), member.Name, string.Join(", ", attributes.Select(ModelParser.ShortName))));
        return false;
    }

    /// <summary>SDSL002: a DSL member is a partial, get-only instance property.</summary>
    public static bool IsPartialGetOnlyProperty(ISymbol member, string attributeName, string expectedType, List<DiagnosticInfo> diagnostics)
    {
        if (member is IPropertySymbol { IsPartialDefinition: true, SetMethod: null, GetMethod: not null, IsStatic: false }) return true;
        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LayerNotPartialProperty, member.Locations.FirstOrDefault(), member.Name, attributeName, ShortTypeName(expectedType)));
        return false;
    }

    /// <summary>SDSL003: a layer property has its attribute's layer type.</summary>
    public static bool HasLayerType(IPropertySymbol property, ITypeSymbol? layerType, string attributeName, string expectedType, List<DiagnosticInfo> diagnostics)
    {
        if (SymbolEqualityComparer.Default.Equals(property.Type, layerType)) return true;
        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LayerWrongType, property.Locations.FirstOrDefault(), property.Name, attributeName, ShortTypeName(expectedType), property.Type.ToDisplayString()));
        return false;
    }

    /// <summary>SDSL010: the block a [Block], [Repeat] or expert-bank property holds (null when its type holds none) is a [Block] class.</summary>
    public static bool IsBlockClass([NotNullWhen(true)] ITypeSymbol? blockType, IPropertySymbol property, string attributeName, string expectedType, List<DiagnosticInfo> diagnostics)
    {
        if (blockType is not null && blockType.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == ModelParser.BlockAttributeName)) return true;
        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BlockWrongType, property.Locations.FirstOrDefault(), property.Name, attributeName, expectedType, property.Type.ToDisplayString()));
        return false;
    }

    /// <summary>SDSL012: a block is repeated at least once.</summary>
    public static bool IsValidDepth(int depth, IPropertySymbol property, Location? location, List<DiagnosticInfo> diagnostics)
    {
        if (depth >= 1) return true;
        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LayerOptionOutOfRange, location, "Depth = " + Invariant(depth), property.Name, "a repeated block needs at least one copy"));
        return false;
    }

    /// <summary>SDSL012: the depth a [Repeat]'s hyperparameters were tuned at is at least 1.</summary>
    public static bool IsValidBaseDepth(int baseDepth, IPropertySymbol property, Location? location, List<DiagnosticInfo> diagnostics)
    {
        if (baseDepth >= 1) return true;
        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LayerOptionOutOfRange, location, "BaseDepth = " + Invariant(baseDepth), property.Name, "the base depth the hyperparameters were tuned at is at least 1"));
        return false;
    }

    /// <summary>SDSL015: the expert block of a bank must not declare a router of its own (the bank's kind makes it).</summary>
    public static bool ExpertBlockHasNoRouter(ITypeSymbol expertBlock, KindShape bank, IPropertySymbol property, Location? location, List<DiagnosticInfo> diagnostics)
    {
        foreach (var (member, layerShape) in LayerShapes(expertBlock))
            if (IsRouter(layerShape, bank))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.RouterDeclaredTwice, location,
                    $"'{member}' in expert block '{expertBlock.Name}'", property.Name, bank.In!.ToString(), Invariant(bank.Experts!.Value), ModelParser.SnakeCase(property.Name)));
                return false;
            }
        return true;
    }

    // A layer that reads what a bank's router reads and writes exactly its number of experts is a router.
    private static bool IsRouter(KindShape layer, KindShape bank) =>
        bank.Experts is int count && layer.Experts is null && layer.Out is { ScalesWithWidth: false } o && o.FixedSize == count && Equals(layer.In, bank.In);

    private static bool IsRouter(LayerSpec layer, LayerSpec bank) =>
        layer.Member == MemberKind.Layer && layer.Out is { ScalesWithWidth: false } o && o.FixedSize == bank.Experts && Equals(layer.In, bank.In);

    // The shapes of a class's layers as their kinds read them (problems with them are that class's own diagnostics).
    private static IEnumerable<(string Member, KindShape Shape)> LayerShapes(ITypeSymbol type)
    {
        foreach (var member in type.GetMembers())
        {
            var attributes = member.GetAttributes().Where(a => a.AttributeClass is { } c && ModelParser.LayerTypeOf(c) is not null).ToList();
            if (attributes.Count != 1) continue;
            var scratch = new List<DiagnosticInfo>();
            var shape = KindRegistry.For(attributes[0].AttributeClass!.ToDisplayString()).Read(new KindArguments(member.Name, null, attributes[0].NamedArguments, scratch));
            if (scratch.Count == 0) yield return (member.Name, shape);
        }
    }

    /// <summary>SDSL015: a layer of the class that declares an expert bank that maps the bank's input to its number of experts is a second router.</summary>
    public static void CheckRouters(INamedTypeSymbol type, List<LayerSpec> layers, List<DiagnosticInfo> diagnostics)
    {
        foreach (var bank in layers.Where(l => l.Member == MemberKind.Experts).ToList())
            for (int i = 0; i < layers.Count; i++)
            {
                if (!IsRouter(layers[i], bank)) continue;
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.RouterDeclaredTwice, MemberLocation(type, layers[i].PropertyName),
                    $"'{layers[i].PropertyName}'", bank.PropertyName, bank.In!.ToString(), Invariant(bank.Experts), bank.StateName));
                layers.RemoveAt(i--);
            }
    }

    // Members the generated code declares: a DSL property of the same name would be a duplicate definition.
    private static readonly string[] GeneratedMembers = { "Declaration", "Plan", "ScaledParameters", "OnConstructed" };
    private static readonly string[] GeneratedModelMembers = { "BaseWidth", "Recipe", "FromRecipe", "CreateAdamW", "CreateTrainer", "Trainer", "Describe", "DescribeJson" };
    private static readonly string[] GeneratedBlockMembers = { "Prefix", "Omission" };

    /// <summary>
    /// SDSL014: a property whose name the generated code already uses, whose state-dict name is its own name (the field
    /// that holds the layer is named like the state-dict key, for TorchSharp's registration), or whose state-dict name
    /// another property of the class also maps to.
    /// </summary>
    public static void CheckNames(INamedTypeSymbol type, bool isBlock, List<LayerSpec> layers, List<DiagnosticInfo> diagnostics)
    {
        var reserved = GeneratedMembers.Concat(isBlock ? GeneratedBlockMembers : GeneratedModelMembers).ToList();
        var seen = new Dictionary<string, string>();
        for (int i = 0; i < layers.Count; i++)
        {
            var layer = layers[i];
            string? problem =
                reserved.Contains(layer.PropertyName) ? $"is a member the generator writes for {(isBlock ? "a block" : "a model")} ({string.Join(", ", reserved)})"
                : layer.PropertyName == layer.StateName ? $"is its own state-dict name, and the generated field that holds the layer is named '{layer.StateName}'; use PascalCase ('{Pascal(layer.StateName)}')"
                : seen.TryGetValue(layer.StateName, out var other) ? $"and '{other}' both have the state-dict name '{layer.StateName}'"
                : null;
            if (problem is null)
            {
                seen[layer.StateName] = layer.PropertyName;
                continue;
            }
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LayerNameClash, MemberLocation(type, layer.PropertyName), layer.PropertyName, problem));
            layers.RemoveAt(i--);
        }
    }

    private static string Pascal(string snake) => string.Concat(snake.Split('_').Where(p => p.Length > 0).Select(p => char.ToUpperInvariant(p[0]) + p.Substring(1)));

    /// <summary>
    /// SDSL011: a layer built from another (a tied readout's embedding) must name an [Embedding] of the same class with
    /// matching dimensions; a tie that holds gets the embedding's state-dict name, which the emitter reads.
    /// </summary>
    public static void CheckTies(INamedTypeSymbol type, List<LayerSpec> layers, List<DiagnosticInfo> diagnostics)
    {
        for (int i = 0; i < layers.Count; i++)
        {
            var readout = layers[i];
            if (readout.Reference is not { } target) continue;
            var embedding = layers.FirstOrDefault(l => l.PropertyName == target);
            string? problem =
                embedding is null || embedding.Kind != "Embedding" ? $"{type.Name} has no [Embedding] property named '{target}'"
                : !Equals(readout.In, embedding.Out) || !Equals(readout.Out, embedding.In) ? $"it maps {readout.In} → {readout.Out} while the embedding maps {embedding.In} ids to {embedding.Out}"
                : null;
            if (problem is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BadTie, MemberLocation(type, readout.PropertyName), readout.PropertyName, target, problem));
                layers.RemoveAt(i--);
                continue;
            }
            layers[i] = readout with { ReferenceState = embedding!.StateName };
        }
    }

    // A layer's diagnostics point at its property's declaration.
    private static Location? MemberLocation(INamedTypeSymbol type, string propertyName) =>
        type.GetMembers(propertyName).FirstOrDefault()?.Locations.FirstOrDefault();

    // "SparseDsl.ScaledLinear" is shown as users write it in a SparseDsl file.
    private static string ShortTypeName(string type) => type.StartsWith("SparseDsl.") ? type.Substring("SparseDsl.".Length) : type;

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
