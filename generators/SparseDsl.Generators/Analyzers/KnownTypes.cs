using System.Linq;
using Microsoft.CodeAnalysis;

namespace SparseDsl.Generators.Analyzers;

/// <summary>The types the analyzers look for, resolved once per compilation (absent when TorchSharp is not referenced).</summary>
internal sealed class KnownTypes
{
    private KnownTypes(Compilation compilation)
    {
        WidthAttribute = compilation.GetTypeByMetadataName("SparseDsl.WidthAttribute");
        BlockAttribute = compilation.GetTypeByMetadataName("SparseDsl.BlockAttribute");
        ScaledModel = compilation.GetTypeByMetadataName("SparseDsl.IScaledModel");
        TorchOptim = compilation.GetTypeByMetadataName("TorchSharp.torch+optim");
        // Each kind names the raw TorchSharp types it replaces; the layer type comes from its attribute's LayerAttribute<TLayer>.
        RawLayers = KindChecks.KindRegistry.All
            .SelectMany(kind => kind.Replaces.Select(raw => (kind, raw: compilation.GetTypeByMetadataName(raw), attribute: compilation.GetTypeByMetadataName(kind.AttributeName))))
            .Where(t => t.raw is not null && t.attribute is not null && Parsing.ModelParser.LayerTypeOf(t.attribute) is not null)
            .Select(t => new RawLayer(t.raw!.Name, t.raw, t.kind, Parsing.ModelParser.LayerTypeOf(t.attribute!)!.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)))
            .ToArray();
    }

    public INamedTypeSymbol? WidthAttribute { get; }

    public INamedTypeSymbol? BlockAttribute { get; }

    public INamedTypeSymbol? ScaledModel { get; }

    public INamedTypeSymbol? TorchOptim { get; }

    public RawLayer[] RawLayers { get; }

    public static KnownTypes? For(Compilation compilation)
    {
        var types = new KnownTypes(compilation);
        return types.WidthAttribute is null ? null : types;
    }

    public bool IsModel(ITypeSymbol? type) =>
        type is INamedTypeSymbol named &&
        (named.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, WidthAttribute)
                                     || (BlockAttribute is not null && SymbolEqualityComparer.Default.Equals(a.AttributeClass, BlockAttribute))) ||
         (ScaledModel is not null && named.AllInterfaces.Contains(ScaledModel, SymbolEqualityComparer.Default)));

    public RawLayer? RawLayerOf(ITypeSymbol? type)
    {
        for (var t = type; t is not null; t = t.BaseType)
            foreach (var raw in RawLayers)
                if (SymbolEqualityComparer.Default.Equals(t, raw.Type)) return raw;
        return null;
    }

    /// <summary>
    /// Parses a [Width] or [Block] class exactly as the generator does; null when it is not a model or its declaration is invalid
    /// (the generator reports those).
    /// </summary>
    public Specs.ModelSpec? ParseModel(INamedTypeSymbol type, System.Threading.CancellationToken cancellationToken)
    {
        var attributes = type.GetAttributes();
        var declaring = attributes.FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, WidthAttribute))
            ?? attributes.FirstOrDefault(a => BlockAttribute is not null && SymbolEqualityComparer.Default.Equals(a.AttributeClass, BlockAttribute));
        // The declaration carrying [Width] (or [Block]) is the one ForAttributeWithMetadataName hands the generator.
        var node = declaring?.ApplicationSyntaxReference?.GetSyntax(cancellationToken).FirstAncestorOrSelf<Microsoft.CodeAnalysis.CSharp.Syntax.ClassDeclarationSyntax>();
        return declaring is null || node is null ? null : Parsing.ModelParser.Parse(type, node, declaring, cancellationToken).Model;
    }

    /// <summary>A raw TorchSharp type and the DSL kind that replaces it.</summary>
    internal sealed record RawLayer(string Name, INamedTypeSymbol Type, KindChecks.KindDescription Kind, string LayerType)
    {
        /// <summary>The attribute to write instead, keeping the raw constructor's literal arguments where the kind can.</summary>
        public string Suggest(string[] literalArguments) => Kind.Suggest(Type.ToDisplayString(), literalArguments);
    }
}
