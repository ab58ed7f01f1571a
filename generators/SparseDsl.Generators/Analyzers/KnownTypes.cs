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
        RawLayers = new[]
        {
            ("Linear", "TorchSharp.Modules.Linear", "Linear or SparseLinear"),
            ("Embedding", "TorchSharp.Modules.Embedding", "Embedding"),
            ("Conv1d", "TorchSharp.Modules.Conv1d", "SparseLinear"),
            ("Conv2d", "TorchSharp.Modules.Conv2d", "SparseLinear"),
            ("Conv3d", "TorchSharp.Modules.Conv3d", "SparseLinear"),
            ("Parameter", "TorchSharp.Modules.Parameter", "Linear or SparseLinear"),
        }
        .Select(t => (t.Item1, compilation.GetTypeByMetadataName(t.Item2), t.Item3))
        .Where(t => t.Item2 is not null)
        .Select(t => new RawLayer(t.Item1, t.Item2!, t.Item3))
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
    public Model.ModelSpec? ParseModel(INamedTypeSymbol type, System.Threading.CancellationToken cancellationToken)
    {
        var attributes = type.GetAttributes();
        var declaring = attributes.FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, WidthAttribute))
            ?? attributes.FirstOrDefault(a => BlockAttribute is not null && SymbolEqualityComparer.Default.Equals(a.AttributeClass, BlockAttribute));
        // The declaration carrying [Width] (or [Block]) is the one ForAttributeWithMetadataName hands the generator.
        var node = declaring?.ApplicationSyntaxReference?.GetSyntax(cancellationToken).FirstAncestorOrSelf<Microsoft.CodeAnalysis.CSharp.Syntax.ClassDeclarationSyntax>();
        return declaring is null || node is null ? null : Parsing.ModelParser.Parse(type, node, declaring, cancellationToken).Model;
    }

    internal sealed record RawLayer(string Name, INamedTypeSymbol Type, string Suggestion);
}
