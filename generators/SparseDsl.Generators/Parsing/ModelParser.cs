using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using SparseDsl.Generators.KindChecks;
using SparseDsl.Generators.Specs;

namespace SparseDsl.Generators.Parsing;

/// <summary>
/// Walks a [Width] or [Block] class and its DSL members to build a <see cref="ModelSpec"/>; what it finds wrong is
/// reported by <see cref="ModelValidator"/>, whose checks it runs as it goes. Keeps no symbol or syntax node.
/// </summary>
internal static class ModelParser
{
    internal const string RepeatAttributeName = "SparseDsl.RepeatAttribute";
    internal const string BlockAttributeName = "SparseDsl.BlockAttribute";
    private const string WidthAttributeName = "SparseDsl.WidthAttribute";

    public static ParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not INamedTypeSymbol type || context.TargetNode is not ClassDeclarationSyntax node)
            return new ParseResult(null, EquatableArray<DiagnosticInfo>.Empty);
        return Parse(type, node, context.Attributes[0], cancellationToken);
    }

    /// <summary>Parses one [Block] class (skipped when it also has [Width]: the model pipeline reports that).</summary>
    public static ParseResult ParseBlock(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not INamedTypeSymbol type || context.TargetNode is not ClassDeclarationSyntax node
            || type.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == WidthAttributeName))
            return new ParseResult(null, EquatableArray<DiagnosticInfo>.Empty);
        return Parse(type, node, context.Attributes[0], cancellationToken);
    }

    /// <summary>
    /// Parses one [Width] model or [Block] class (<paramref name="classAttribute"/> says which); analyzers call this too,
    /// so they judge exactly what the generator builds.
    /// </summary>
    public static ParseResult Parse(INamedTypeSymbol type, ClassDeclarationSyntax node, AttributeData classAttribute, CancellationToken cancellationToken)
    {
        var diagnostics = new List<DiagnosticInfo>();
        bool isBlock = classAttribute.AttributeClass?.ToDisplayString() == BlockAttributeName;

        Location nameLocation = node.Identifier.GetLocation();
        ModelValidator.CheckClassShape(type, node, isBlock, nameLocation, diagnostics);

        int baseWidth = isBlock ? 0 : SparseDsl.AttributeDefaults.BaseWidth;
        int? vocab = null;
        foreach (var arg in classAttribute.NamedArguments)
        {
            if (arg.Key == "Base" && arg.Value.Value is int b) baseWidth = b;
            if (arg.Key == "Vocab" && arg.Value.Value is int v) vocab = v;
        }
        if (!isBlock)
            ModelValidator.CheckModelOptions(type, classAttribute, baseWidth, vocab, nameLocation, diagnostics);

        var layers = new List<LayerSpec>();
        foreach (var member in type.GetMembers())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var layerAttributes = member.GetAttributes().Where(IsDslAttribute).ToList();
            if (layerAttributes.Count == 0) continue;
            var layer = ParseLayer(member, layerAttributes, diagnostics);
            if (layer is not null) layers.Add(layer);
        }
        ModelValidator.CheckNames(type, isBlock, layers, diagnostics);
        ModelValidator.CheckTies(type, layers, diagnostics);
        ModelValidator.CheckRouters(type, layers, diagnostics);
        var sat = SatParser.Parse(type, isBlock, layers, nameLocation, diagnostics);

        bool hasErrors = diagnostics.Count > 0;
        if (hasErrors) return new ParseResult(null, diagnostics.ToEquatableArray(), Shell(type, node, isBlock));
        ModelSpec? model = new ModelSpec(
            type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString(),
            type.Name,
            HintName(type),
            baseWidth,
            layers.ToEquatableArray(),
            isBlock,
            sat)
        {
            Vocab = vocab is > 0 ? vocab : null,
        };
        return new ParseResult(model, diagnostics.ToEquatableArray());
    }

    /// <summary>A layer attribute (deriving from SparseDsl.LayerAttribute&lt;TLayer&gt;), [Block] or [Repeat].</summary>
    internal static bool IsDslAttribute(AttributeData attribute) =>
        attribute.AttributeClass is { } c && (LayerTypeOf(c) is not null || c.ToDisplayString() is BlockAttributeName or RepeatAttributeName);

    /// <summary>The TLayer of an attribute class deriving from SparseDsl.LayerAttribute&lt;TLayer&gt;, or null.</summary>
    internal static ITypeSymbol? LayerTypeOf(INamedTypeSymbol attributeClass)
    {
        for (var t = attributeClass.BaseType; t is not null; t = t.BaseType)
            if (t.IsGenericType && t.TypeArguments.Length == 1 && t.ConstructedFrom.ToDisplayString() == "SparseDsl.LayerAttribute<TLayer>")
                return t.TypeArguments[0];
        return null;
    }

    private static LayerSpec? ParseLayer(ISymbol member, List<AttributeData> attributes, List<DiagnosticInfo> diagnostics)
    {
        var attribute = attributes[0];
        var location = AttributeLocation(attribute, member.Locations.FirstOrDefault());
        string attributeName = ShortName(attribute);
        if (!ModelValidator.HasOneDslAttribute(member, attributes, diagnostics)) return null;

        string className = attribute.AttributeClass!.ToDisplayString();
        var container = KindRegistry.For(className).Container;
        var memberKind = className switch
        {
            BlockAttributeName => MemberKind.Block,
            RepeatAttributeName => MemberKind.Repeat,
            _ => container is null ? MemberKind.Layer : MemberKind.Experts,
        };
        var layerType = LayerTypeOf(attribute.AttributeClass!);
        string expectedType = memberKind switch
        {
            MemberKind.Block => "a [Block] class",
            MemberKind.Repeat => "TorchSharp.Modules.ModuleList<TBlock> of a [Block] class",
            MemberKind.Experts => container + " of a [Block] class",
            _ => layerType!.ToDisplayString(),
        };
        if (!ModelValidator.IsPartialGetOnlyProperty(member, attributeName, expectedType, diagnostics)) return null;
        var property = (IPropertySymbol)member;
        var named = attribute.NamedArguments.ToDictionary(a => a.Key, a => a.Value.Value);
        if (memberKind == MemberKind.Experts)
            return ParseBank(property, attribute, container!, expectedType, location, diagnostics);
        if (memberKind != MemberKind.Layer)
            return ParseChild(property, memberKind, attributeName, expectedType, named, location, diagnostics);
        if (!ModelValidator.HasLayerType(property, layerType, attributeName, expectedType, diagnostics)) return null;

        var arguments = new KindArguments(member.Name, location, attribute.NamedArguments, diagnostics);
        var shape = KindRegistry.For(className).Read(arguments);
        if (arguments.Failed) return null;
        return new LayerSpec(property.Name, SnakeCase(property.Name), Modifiers(property), MemberKind.Layer, layerType!.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat))
        {
            Kind = attributeName,
            Attribute = AttributeInitializer.Of(attribute),
            In = shape.In,
            Out = shape.Out,
            Sparsity = shape.Sparsity,
            FanInFactor = shape.FanInFactor,
            IsProjection = shape.IsProjection,
            Chains = shape.Chains,
            Reference = shape.Reference,
        };
    }

    private static LayerSpec? ParseChild(IPropertySymbol property, MemberKind kind, string attributeName, string expectedType, Dictionary<string, object?> named, Location? location, List<DiagnosticInfo> diagnostics)
    {
        ITypeSymbol? blockType = property.Type;
        if (kind == MemberKind.Repeat)
        {
            blockType = property.Type is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } list
                && list.ConstructedFrom.ToDisplayString() == "TorchSharp.Modules.ModuleList<T>"
                ? list.TypeArguments[0]
                : null;
        }
        if (!ModelValidator.IsBlockClass(blockType, property, attributeName, expectedType, diagnostics)) return null;
        int depth = named.TryGetValue("Depth", out var d) && d is int n ? n : SparseDsl.AttributeDefaults.Depth;
        if (!ModelValidator.IsValidDepth(depth, property, location, diagnostics)) return null;
        int baseDepth = 0;
        if (kind == MemberKind.Repeat && named.TryGetValue("BaseDepth", out var bd) && bd is int given)
        {
            if (!ModelValidator.IsValidBaseDepth(given, property, location, diagnostics)) return null;
            baseDepth = given;
        }
        string block = blockType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        return new LayerSpec(property.Name, SnakeCase(property.Name), Modifiers(property), kind,
            kind == MemberKind.Repeat ? $"global::TorchSharp.Modules.ModuleList<{block}>" : block)
        {
            Kind = attributeName,
            BlockType = block,
            Depth = kind == MemberKind.Repeat ? depth : 0,
            BaseDepth = baseDepth,
        };
    }

    /// <summary>
    /// An expert bank: the property is <c>Container&lt;TBlock&gt;</c> of a [Block] class whose attribute's values are read by
    /// its kind (the router's layer).
    /// </summary>
    private static LayerSpec? ParseBank(IPropertySymbol property, AttributeData attribute, string container, string expectedType, Location? location, List<DiagnosticInfo> diagnostics)
    {
        string attributeName = ShortName(attribute);
        var blockType = property.Type is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } bank && bank.ConstructedFrom.ToDisplayString() == container
            ? bank.TypeArguments[0]
            : null;
        if (!ModelValidator.IsBlockClass(blockType, property, attributeName, expectedType, diagnostics)) return null;
        string className = attribute.AttributeClass!.ToDisplayString();
        var arguments = new KindArguments(property.Name, location, attribute.NamedArguments, diagnostics);
        var shape = KindRegistry.For(className).Read(arguments);
        if (arguments.Failed) return null;
        if (!ModelValidator.ExpertBlockHasNoRouter(blockType, shape, property, location, diagnostics)) return null;
        string stateName = SnakeCase(property.Name);
        string block = blockType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        string containerType = container.Substring(0, container.IndexOf('<'));
        return new LayerSpec(property.Name, stateName, Modifiers(property), MemberKind.Experts, $"global::{containerType}<{block}>")
        {
            Kind = attributeName,
            Attribute = AttributeInitializer.Of(attribute),
            In = shape.In,
            Out = shape.Out,
            Chains = shape.Chains,
            BlockType = block,
            Experts = shape.Experts ?? 0,
        };
    }

    /// <summary>
    /// What to emit when the declaration has errors: the class with its base type, a constructor and every partial DSL
    /// property implemented by a throw, so the user sees the SparseDsl error and not a cascade of compiler errors about
    /// missing partial implementations and overrides. Null when even that cannot be emitted (not partial, nested, generic).
    /// </summary>
    private static ShellSpec? Shell(INamedTypeSymbol type, ClassDeclarationSyntax node, bool isBlock)
    {
        if (!node.Modifiers.Any(SyntaxKind.PartialKeyword) || type.ContainingType is not null || type.TypeParameters.Length > 0 || type.IsStatic) return null;
        var properties = type.GetMembers().OfType<IPropertySymbol>()
            .Where(p => p.IsPartialDefinition && p.GetAttributes().Any(IsDslAttribute))
            .Select(p => new ShellProperty(Modifiers(p), p.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), p.Name, p.SetMethod is not null))
            .ToEquatableArray();
        return new ShellSpec(type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString(), type.Name, HintName(type), isBlock, properties,
            UserDeclaresDeclaration: !type.GetMembers("Declaration").IsEmpty);
    }

    internal static Location? AttributeLocation(AttributeData attribute, Location? fallback) =>
        attribute.ApplicationSyntaxReference?.GetSyntax().GetLocation() ?? fallback;

    internal static string ShortName(AttributeData attribute)
    {
        string name = attribute.AttributeClass?.Name ?? "?";
        return name.EndsWith("Attribute") ? name.Substring(0, name.Length - "Attribute".Length) : name;
    }

    private static string HintName(INamedTypeSymbol type) =>
        (type.ContainingNamespace.IsGlobalNamespace ? "" : type.ContainingNamespace.ToDisplayString() + ".") + type.Name + ".g.cs";

    /// <summary>PyTorch-style state-dict names: <c>LmHead</c> → <c>lm_head</c> (the runtime's own rule, linked).</summary>
    internal static string SnakeCase(string name) => SparseDsl.StateNames.SnakeCase(name);

    /// <summary>The definition's modifiers without 'partial': the implementation must repeat them exactly.</summary>
    private static string Modifiers(IPropertySymbol property)
    {
        var syntax = property.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax() as PropertyDeclarationSyntax;
        if (syntax is null) return "public";
        return string.Join(" ", syntax.Modifiers.Where(m => !m.IsKind(SyntaxKind.PartialKeyword)).Select(m => m.Text));
    }
}
