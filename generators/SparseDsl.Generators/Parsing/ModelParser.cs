using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using SparseDsl.Generators.Model;

namespace SparseDsl.Generators.Parsing;

/// <summary>Turns a [Width] class into a <see cref="ModelSpec"/> and diagnostics. Keeps no symbol or syntax node.</summary>
internal static class ModelParser
{
    private static readonly Dictionary<string, LayerKindSpec> LayerAttributes = new()
    {
        ["SparseDsl.EmbeddingAttribute"] = LayerKindSpec.Embedding,
        ["SparseDsl.LinearAttribute"] = LayerKindSpec.Linear,
        ["SparseDsl.SparseLinearAttribute"] = LayerKindSpec.SparseLinear,
        ["SparseDsl.ReadoutAttribute"] = LayerKindSpec.Readout,
        ["SparseDsl.NormAttribute"] = LayerKindSpec.Norm,
        ["SparseDsl.AttentionAttribute"] = LayerKindSpec.Attention,
        ["SparseDsl.BlockAttribute"] = LayerKindSpec.Block,
        ["SparseDsl.RepeatAttribute"] = LayerKindSpec.Repeat,
    };

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

        int baseWidth = isBlock ? 0 : 256;
        foreach (var arg in classAttribute.NamedArguments)
            if (arg.Key == "Base" && arg.Value.Value is int b) baseWidth = b;
        if (!isBlock && baseWidth <= 0)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BaseWidthNotPositive, AttributeLocation(classAttribute, nameLocation), baseWidth.ToString(System.Globalization.CultureInfo.InvariantCulture), type.Name));

        var layers = new List<LayerSpec>();
        foreach (var member in type.GetMembers())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var layerAttributes = member.GetAttributes()
                .Where(a => a.AttributeClass is { } c && LayerAttributes.ContainsKey(c.ToDisplayString()))
                .ToList();
            if (layerAttributes.Count == 0) continue;
            var layer = ParseLayer(member, layerAttributes, diagnostics);
            if (layer is not null) layers.Add(layer);
        }
        CheckTies(type, layers, diagnostics);
        var sat = SatParser.Parse(type, isBlock, layers, nameLocation, diagnostics);

        bool hasErrors = diagnostics.Count > 0;
        ModelSpec? model = hasErrors ? null : new ModelSpec(
            type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString(),
            type.Name,
            HintName(type),
            baseWidth,
            layers.ToEquatableArray(),
            isBlock,
            sat);
        return new ParseResult(model, diagnostics.ToEquatableArray());
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

        var kind = LayerAttributes[attribute.AttributeClass!.ToDisplayString()];
        string expectedType = kind switch
        {
            LayerKindSpec.Embedding => "ScaledEmbedding",
            LayerKindSpec.Norm => "ScaledNorm",
            LayerKindSpec.Attention => "ScaledAttention",
            LayerKindSpec.Block => "a [Block] class",
            LayerKindSpec.Repeat => "TorchSharp.Modules.ModuleList<TBlock> of a [Block] class",
            _ => "ScaledLinear",
        };
        if (member is not IPropertySymbol property || !property.IsPartialDefinition || property.SetMethod is not null || property.GetMethod is null || property.IsStatic)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LayerNotPartialProperty, member.Locations.FirstOrDefault(), member.Name, attributeName, expectedType));
            return null;
        }
        var named = attribute.NamedArguments.ToDictionary(a => a.Key, a => a.Value.Value);
        if (kind is LayerKindSpec.Block or LayerKindSpec.Repeat)
            return ParseChild(property, kind, attributeName, expectedType, named, location, diagnostics);
        if (property.Type.ToDisplayString() != "SparseDsl." + expectedType)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LayerWrongType, member.Locations.FirstOrDefault(), member.Name, attributeName, expectedType, property.Type.ToDisplayString()));
            return null;
        }

        int errorsBefore = diagnostics.Count;
        DimensionSpec? input, output;
        double sparsity = 0;
        if (kind is LayerKindSpec.Norm or LayerKindSpec.Attention)
            return ParseNormOrAttention(property, kind, named, location, diagnostics);
        if (kind == LayerKindSpec.Embedding)
        {
            int vocab = named.TryGetValue("Vocab", out var v) && v is int n ? n : 0;
            if (vocab <= 0)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ReadoutNotFinite, location, "Vocab", member.Name, vocab.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            input = vocab > 0 ? DimensionSpec.Fixed(vocab) : null;
            output = Dimension(named, "Dim", member.Name, location, diagnostics);
        }
        else
        {
            input = Dimension(named, "In", member.Name, location, diagnostics);
            output = Dimension(named, "Out", member.Name, location, diagnostics);
            if (kind == LayerKindSpec.Readout && output is { ScalesWithWidth: true })
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ReadoutNotFinite, location, "Out", member.Name, StringArg(named, "Out")));
        }
        if (kind == LayerKindSpec.SparseLinear)
        {
            sparsity = named.TryGetValue("Sparsity", out var s) && s is double d ? d : 0.0;
            if (!(sparsity >= 0 && sparsity < 1))
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SparsityOutOfRange, location, sparsity.ToString("R", System.Globalization.CultureInfo.InvariantCulture), member.Name));
        }
        bool bias = named.TryGetValue("Bias", out var bb) && bb is true;
        if (diagnostics.Count > errorsBefore || input is null || output is null) return null;

        return new LayerSpec(property.Name, SnakeCase(property.Name), Modifiers(property), kind, input, output, sparsity, bias)
        {
            ZeroInit = named.TryGetValue("ZeroInit", out var z) && z is true,
            TiedTo = named.TryGetValue("TiedTo", out var t) && t is string tied ? tied : null,
        };
    }

    private static LayerSpec? ParseNormOrAttention(IPropertySymbol property, LayerKindSpec kind, Dictionary<string, object?> named, Location? location, List<DiagnosticInfo> diagnostics)
    {
        var dimension = Dimension(named, "Dim", property.Name, location, diagnostics);
        if (dimension is null) return null;
        var spec = new LayerSpec(property.Name, SnakeCase(property.Name), Modifiers(property), kind, dimension, dimension, 0, false);
        if (kind == LayerKindSpec.Norm)
        {
            // Enum arguments arrive as their underlying int: 0 LayerNorm, 1 RmsNorm (SparseDsl.NormKind).
            bool rms = named.TryGetValue("Kind", out var k) && k is int kindValue && kindValue == 1;
            bool bias = named.TryGetValue("Bias", out var b) && b is true;
            if (rms && bias)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LayerOptionOutOfRange, location, "Bias = true", property.Name, "RMSNorm has no bias; use NormKind.LayerNorm or drop the bias"));
                return null;
            }
            return spec with { NormKind = rms ? "RmsNorm" : "LayerNorm", Bias = bias };
        }
        int headDim = named.TryGetValue("HeadDim", out var h) && h is int hd ? hd : 64;
        if (headDim <= 0)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LayerOptionOutOfRange, location, "HeadDim = " + headDim.ToString(System.Globalization.CultureInfo.InvariantCulture), property.Name, "the head dimension must be positive"));
            return null;
        }
        return spec with { HeadDim = headDim, Alibi = !(named.TryGetValue("Alibi", out var a) && a is false) };
    }

    private static LayerSpec? ParseChild(IPropertySymbol property, LayerKindSpec kind, string attributeName, string expectedType, Dictionary<string, object?> named, Location? location, List<DiagnosticInfo> diagnostics)
    {
        ITypeSymbol? blockType = property.Type;
        if (kind == LayerKindSpec.Repeat)
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
        int depth = named.TryGetValue("Depth", out var d) && d is int n ? n : 1;
        if (depth < 1)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LayerOptionOutOfRange, location, "Depth = " + depth.ToString(System.Globalization.CultureInfo.InvariantCulture), property.Name, "a repeated block needs at least one copy"));
            return null;
        }
        var width = DimensionSpec.OfWidth(1, 1);
        return new LayerSpec(property.Name, SnakeCase(property.Name), Modifiers(property), kind, width, width, 0, false)
        {
            BlockType = blockType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            Depth = kind == LayerKindSpec.Repeat ? depth : 0,
        };
    }

    /// <summary>A tied readout must name an [Embedding] of the same class with matching dimensions, and have no bias or zero init.</summary>
    private static void CheckTies(INamedTypeSymbol type, List<LayerSpec> layers, List<DiagnosticInfo> diagnostics)
    {
        for (int i = 0; i < layers.Count; i++)
        {
            var readout = layers[i];
            if (readout.TiedTo is not { } target) continue;
            var location = type.GetMembers(readout.PropertyName).FirstOrDefault()?.Locations.FirstOrDefault();
            var embedding = layers.FirstOrDefault(l => l.PropertyName == target);
            string? problem =
                readout.Kind != LayerKindSpec.Readout ? "only a [Readout] can be tied"
                : embedding is null || embedding.Kind != LayerKindSpec.Embedding ? $"{type.Name} has no [Embedding] property named '{target}'"
                : readout.Bias || readout.ZeroInit ? "a tied readout reuses the embedding's table, so it takes no Bias or ZeroInit"
                : !readout.In.Equals(embedding.Out) || !readout.Out.Equals(embedding.In) ? $"it maps {readout.In} → {readout.Out} while the embedding maps {embedding.In} ids to {embedding.Out}"
                : null;
            if (problem is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BadTie, location, readout.PropertyName, target, problem));
                layers.RemoveAt(i--);
                continue;
            }
            layers[i] = readout with { TiedTo = embedding!.StateName };
        }
    }

    private static string StringArg(Dictionary<string, object?> named, string name) => named.TryGetValue(name, out var v) && v is string s ? s : "width";

    private static DimensionSpec? Dimension(Dictionary<string, object?> named, string argument, string member, Location? location, List<DiagnosticInfo> diagnostics)
    {
        // Unset dimensions default to "width", except a readout's Out, which has no sensible default.
        string text = named.TryGetValue(argument, out var v) ? v as string ?? "" : "width";
        if (DimensionParser.TryParse(text, out var dimension, out string error)) return dimension;
        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BadDimension, location, argument, text, member, error));
        return null;
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

    /// <summary>PyTorch-style state-dict names: <c>LmHead</c> → <c>lm_head</c>, <c>MLPUp</c> → <c>mlp_up</c>.</summary>
    internal static string SnakeCase(string name)
    {
        var sb = new StringBuilder(name.Length + 4);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (char.IsUpper(c))
            {
                bool prevLowerOrDigit = i > 0 && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1]));
                bool acronymEnd = i > 0 && char.IsUpper(name[i - 1]) && i + 1 < name.Length && char.IsLower(name[i + 1]);
                if ((prevLowerOrDigit || acronymEnd) && sb.Length > 0 && sb[sb.Length - 1] != '_') sb.Append('_');
                sb.Append(char.ToLowerInvariant(c));
            }
            else
            {
                sb.Append(c);
            }
        }
        return sb.ToString();
    }

    /// <summary>The definition's modifiers without 'partial': the implementation must repeat them exactly.</summary>
    private static string Modifiers(IPropertySymbol property)
    {
        var syntax = property.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax() as PropertyDeclarationSyntax;
        if (syntax is null) return "public";
        return string.Join(" ", syntax.Modifiers.Where(m => !m.IsKind(SyntaxKind.PartialKeyword)).Select(m => m.Text));
    }
}
