using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using SparseDsl.Generators.KindChecks;
using SparseDsl.Generators.Specs;

namespace SparseDsl.Generators.Parsing;

/// <summary>Turns a [Width] class into a <see cref="ModelSpec"/> and diagnostics. Keeps no symbol or syntax node.</summary>
internal static class ModelParser
{
    private const string RepeatAttributeName = "SparseDsl.RepeatAttribute";
    private const string BlockAttributeName = "SparseDsl.BlockAttribute";
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
        if (!node.Modifiers.Any(SyntaxKind.PartialKeyword))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ModelNotPartial, nameLocation, type.Name, isBlock ? "Block" : "Width"));
        if (!isBlock && type.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == BlockAttributeName))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedModelShape, nameLocation, type.Name, "it has both [Width] and [Block]; a block takes its width from its model, so keep one"));
        if (type.ContainingType is not null)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedModelShape, nameLocation, type.Name, "it is nested in another type; declare it at namespace level"));
        if (type.TypeParameters.Length > 0)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedModelShape, nameLocation, type.Name, "it is generic"));
        if (type.IsStatic)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedModelShape, nameLocation, type.Name, "it is static"));

        int baseWidth = isBlock ? 0 : SparseDsl.AttributeDefaults.BaseWidth;
        int? vocab = null;
        foreach (var arg in classAttribute.NamedArguments)
        {
            if (arg.Key == "Base" && arg.Value.Value is int b) baseWidth = b;
            if (arg.Key == "Vocab" && arg.Value.Value is int v) vocab = v;
        }
        if (!isBlock && vocab is <= 0)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LayerOptionOutOfRange, AttributeLocation(classAttribute, nameLocation),
                $"[Width(Vocab = {vocab.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)})]", type.Name, "the vocabulary must be positive (leave Vocab out when the model sets it only at run time)"));
        if (!isBlock && baseWidth <= 0)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BaseWidthNotPositive, AttributeLocation(classAttribute, nameLocation), baseWidth.ToString(System.Globalization.CultureInfo.InvariantCulture), type.Name));

        var layers = new List<LayerSpec>();
        foreach (var member in type.GetMembers())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var layerAttributes = member.GetAttributes().Where(IsDslAttribute).ToList();
            if (layerAttributes.Count == 0) continue;
            var layer = ParseLayer(member, layerAttributes, diagnostics);
            if (layer is not null) layers.Add(layer);
        }
        CheckNames(type, isBlock, layers, diagnostics);
        CheckTies(type, layers, diagnostics);
        CheckRouters(type, layers, diagnostics);
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
        if (attributes.Count > 1)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SeveralLayerAttributes, member.Locations.FirstOrDefault(), member.Name, string.Join(", ", attributes.Select(ShortName))));
            return null;
        }

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
        if (member is not IPropertySymbol property || !property.IsPartialDefinition || property.SetMethod is not null || property.GetMethod is null || property.IsStatic)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LayerNotPartialProperty, member.Locations.FirstOrDefault(), member.Name, attributeName, ShortTypeName(expectedType)));
            return null;
        }
        var named = attribute.NamedArguments.ToDictionary(a => a.Key, a => a.Value.Value);
        if (memberKind == MemberKind.Experts)
            return ParseBank(property, attribute, container!, expectedType, location, diagnostics);
        if (memberKind != MemberKind.Layer)
            return ParseChild(property, memberKind, attributeName, expectedType, named, location, diagnostics);
        if (!SymbolEqualityComparer.Default.Equals(property.Type, layerType))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LayerWrongType, member.Locations.FirstOrDefault(), member.Name, attributeName, ShortTypeName(expectedType), property.Type.ToDisplayString()));
            return null;
        }

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

    // "SparseDsl.ScaledLinear" is shown as users write it in a SparseDsl file.
    private static string ShortTypeName(string type) => type.StartsWith("SparseDsl.") ? type.Substring("SparseDsl.".Length) : type;

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
        if (blockType is null || !blockType.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == BlockAttributeName))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BlockWrongType, property.Locations.FirstOrDefault(), property.Name, attributeName, expectedType, property.Type.ToDisplayString()));
            return null;
        }
        int depth = named.TryGetValue("Depth", out var d) && d is int n ? n : SparseDsl.AttributeDefaults.Depth;
        if (depth < 1)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LayerOptionOutOfRange, location, "Depth = " + depth.ToString(System.Globalization.CultureInfo.InvariantCulture), property.Name, "a repeated block needs at least one copy"));
            return null;
        }
        int baseDepth = 0;
        if (kind == MemberKind.Repeat && named.TryGetValue("BaseDepth", out var bd) && bd is int given)
        {
            if (given < 1)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LayerOptionOutOfRange, location, "BaseDepth = " + given.ToString(System.Globalization.CultureInfo.InvariantCulture), property.Name, "the base depth the hyperparameters were tuned at is at least 1"));
                return null;
            }
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
    /// An expert bank: the property is <c>Container&lt;TBlock&gt;</c> of a [Block] class, the attribute's values are read by
    /// its kind (the router's layer), and the expert block must not declare a router of its own (SDSL015).
    /// </summary>
    private static LayerSpec? ParseBank(IPropertySymbol property, AttributeData attribute, string container, string expectedType, Location? location, List<DiagnosticInfo> diagnostics)
    {
        string attributeName = ShortName(attribute);
        var blockType = property.Type is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } bank && bank.ConstructedFrom.ToDisplayString() == container
            ? bank.TypeArguments[0]
            : null;
        if (blockType is null || !blockType.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == BlockAttributeName))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BlockWrongType, property.Locations.FirstOrDefault(), property.Name, attributeName, expectedType, property.Type.ToDisplayString()));
            return null;
        }
        string className = attribute.AttributeClass!.ToDisplayString();
        var arguments = new KindArguments(property.Name, location, attribute.NamedArguments, diagnostics);
        var shape = KindRegistry.For(className).Read(arguments);
        if (arguments.Failed) return null;
        string stateName = SnakeCase(property.Name);
        foreach (var (member, layerShape) in LayerShapes(blockType))
            if (IsRouter(layerShape, shape))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.RouterDeclaredTwice, location,
                    $"'{member}' in expert block '{blockType.Name}'", property.Name, shape.In!.ToString(), Invariant(shape.Experts!.Value), stateName));
                return null;
            }
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
            var attributes = member.GetAttributes().Where(a => a.AttributeClass is { } c && LayerTypeOf(c) is not null).ToList();
            if (attributes.Count != 1) continue;
            var scratch = new List<DiagnosticInfo>();
            var shape = KindRegistry.For(attributes[0].AttributeClass!.ToDisplayString()).Read(new KindArguments(member.Name, null, attributes[0].NamedArguments, scratch));
            if (scratch.Count == 0) yield return (member.Name, shape);
        }
    }

    /// <summary>SDSL015: a layer of the class that declares an expert bank that maps the bank's input to its number of experts is a second router.</summary>
    private static void CheckRouters(INamedTypeSymbol type, List<LayerSpec> layers, List<DiagnosticInfo> diagnostics)
    {
        foreach (var bank in layers.Where(l => l.Member == MemberKind.Experts).ToList())
            for (int i = 0; i < layers.Count; i++)
            {
                if (!IsRouter(layers[i], bank)) continue;
                var location = type.GetMembers(layers[i].PropertyName).FirstOrDefault()?.Locations.FirstOrDefault();
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.RouterDeclaredTwice, location,
                    $"'{layers[i].PropertyName}'", bank.PropertyName, bank.In!.ToString(), Invariant(bank.Experts), bank.StateName));
                layers.RemoveAt(i--);
            }
    }

    private static string Invariant(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    // Members the generated code declares: a DSL property of the same name would be a duplicate definition.
    private static readonly string[] GeneratedMembers = { "Declaration", "Plan", "ScaledParameters", "OnConstructed" };
    private static readonly string[] GeneratedModelMembers = { "BaseWidth", "Recipe", "FromRecipe", "CreateAdamW", "CreateTrainer", "Trainer", "Describe", "DescribeJson" };
    private static readonly string[] GeneratedBlockMembers = { "Prefix", "Omission" };

    /// <summary>
    /// SDSL014: a property whose name the generated code already uses, whose state-dict name is its own name (the field
    /// that holds the layer is named like the state-dict key, for TorchSharp's registration), or whose state-dict name
    /// another property of the class also maps to.
    /// </summary>
    private static void CheckNames(INamedTypeSymbol type, bool isBlock, List<LayerSpec> layers, List<DiagnosticInfo> diagnostics)
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
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LayerNameClash, type.GetMembers(layer.PropertyName).FirstOrDefault()?.Locations.FirstOrDefault(), layer.PropertyName, problem));
            layers.RemoveAt(i--);
        }
    }

    private static string Pascal(string snake) => string.Concat(snake.Split('_').Where(p => p.Length > 0).Select(p => char.ToUpperInvariant(p[0]) + p.Substring(1)));

    /// <summary>A layer built from another (a tied readout's embedding) must name an [Embedding] of the same class with matching dimensions.</summary>
    private static void CheckTies(INamedTypeSymbol type, List<LayerSpec> layers, List<DiagnosticInfo> diagnostics)
    {
        for (int i = 0; i < layers.Count; i++)
        {
            var readout = layers[i];
            if (readout.Reference is not { } target) continue;
            var location = type.GetMembers(readout.PropertyName).FirstOrDefault()?.Locations.FirstOrDefault();
            var embedding = layers.FirstOrDefault(l => l.PropertyName == target);
            string? problem =
                embedding is null || embedding.Kind != "Embedding" ? $"{type.Name} has no [Embedding] property named '{target}'"
                : !Equals(readout.In, embedding.Out) || !Equals(readout.Out, embedding.In) ? $"it maps {readout.In} → {readout.Out} while the embedding maps {embedding.In} ids to {embedding.Out}"
                : null;
            if (problem is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BadTie, location, readout.PropertyName, target, problem));
                layers.RemoveAt(i--);
                continue;
            }
            layers[i] = readout with { ReferenceState = embedding!.StateName };
        }
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

    private static Location? AttributeLocation(AttributeData attribute, Location? fallback) =>
        attribute.ApplicationSyntaxReference?.GetSyntax().GetLocation() ?? fallback;

    private static string ShortName(AttributeData attribute)
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
