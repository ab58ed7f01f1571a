using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using SparseDsl.Generators.Specs;

namespace SparseDsl.Generators.Analyzers;

/// <summary>
/// Judges valid declarations exactly as the generator parses them (<see cref="ModelParser"/>): SDSL104 too few
/// non-zero weights per neuron (in the model's blocks and expert banks too, at the model's base width), SDSL105 a sparse layer that μP treats as input-like, SDSL106 a model without an
/// input-like layer or a readout.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class DeclarationAnalyzer : SparseDslAnalyzer
{
    /// <summary>
    /// SμPar's forward-variance argument sums fan-in·density independent products; below this many per neuron at
    /// the base width the sum is too short for that argument (and for a stable proxy) to hold well.
    /// </summary>
    public const double MinWeightsPerNeuron = 16;

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.FewWeightsPerNeuron, DiagnosticDescriptors.SparseInputLikeLayer, DiagnosticDescriptors.MissingInputOrReadout);

    /// <inheritdoc />
    private protected override void Register(CompilationStartAnalysisContext context, KnownTypes types)
    {
        context.RegisterSymbolAction(c => Analyze(c, types), SymbolKind.NamedType);
    }

    private static void Analyze(SymbolAnalysisContext context, KnownTypes types)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        var model = types.ParseModel(type, context.CancellationToken);
        // Blocks have no base width of their own and need no ends: their model is judged instead.
        if (model is null || model.IsBlock || model.Layers.Count == 0) return;

        CheckSparseLayers(context, types, type, model, model.BaseWidth, type.Name + ".", ImmutableHashSet.Create<INamedTypeSymbol>(SymbolEqualityComparer.Default, type));

        // A layer reading a finite dimension is input-like (an embedding's vocabulary, image channels, features);
        // one writing a finite dimension is a readout.
        var classLocation = type.Locations.FirstOrDefault();
        if (!model.Layers.Any(l => l.In is { ScalesWithWidth: false }))
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.MissingInputOrReadout, classLocation, type.Name,
                "input-like layer", "a layer reading a finite dimension", "[Embedding(Vocab = …)], [Linear(In = \"<features>\")] or [Conv(In = \"<channels>\", …)]"));
        if (!model.Layers.Any(l => l.Out is { ScalesWithWidth: false }))
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.MissingInputOrReadout, classLocation, type.Name,
                "readout", "a layer writing a finite dimension", "[Readout(Out = \"<classes>\")]"));
    }

    // The model's own layers and, at the model's base width, those of its [Block]s, [Repeat] stacks and expert banks
    // (blocks have no base width of their own). A nested layer is named by its path from the model and reported where
    // it is declared. SDSL105 stays with the model's own layers.
    private static void CheckSparseLayers(SymbolAnalysisContext context, KnownTypes types, INamedTypeSymbol type, ModelSpec spec,
        int baseWidth, string modelPrefix, ImmutableHashSet<INamedTypeSymbol> visiting)
    {
        bool nested = visiting.Count > 1;
        foreach (var layer in spec.Layers)
        {
            if (layer.IsChild)
            {
                if (BlockTypeOf(type, layer.PropertyName) is not { } block || visiting.Contains(block)) continue;
                if (types.ParseModel(block, context.CancellationToken) is not { } blockSpec) continue; // the generator reports it
                CheckSparseLayers(context, types, block, blockSpec, baseWidth, modelPrefix + layer.PropertyName + ".", visiting.Add(block));
                continue;
            }
            if (layer.Sparsity is not (double sparsity and > 0) || layer.In is not { } input) continue;
            var location = LayerLocation(type, layer.PropertyName);
            if (!input.ScalesWithWidth)
            {
                if (!nested)
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.SparseInputLikeLayer, location, layer.PropertyName, input.ToString(), layer.Kind));
                continue;
            }
            long fanIn = (long)baseWidth * input.Numerator / input.Denominator * layer.FanInFactor;
            double density = 1 - sparsity;
            double perNeuron = fanIn * density;
            string name = nested ? modelPrefix + layer.PropertyName : layer.PropertyName;
            if (perNeuron < MinWeightsPerNeuron)
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.FewWeightsPerNeuron, location,
                    name, perNeuron, fanIn, density.ToString("0.######", CultureInfo.InvariantCulture), MinWeightsPerNeuron));
        }
    }

    // The block class of a [Block] property (its type), a [Repeat] stack (ModuleList<TBlock>) or an expert bank (ExpertBank<TBlock>).
    private static INamedTypeSymbol? BlockTypeOf(INamedTypeSymbol type, string propertyName) =>
        type.GetMembers(propertyName).OfType<IPropertySymbol>().FirstOrDefault()?.Type is INamedTypeSymbol property
            ? property.IsGenericType && property.TypeArguments.Length == 1 ? property.TypeArguments[0] as INamedTypeSymbol : property
            : null;

    private static Location? LayerLocation(INamedTypeSymbol type, string propertyName)
    {
        var property = type.GetMembers(propertyName).FirstOrDefault();
        var attribute = property?.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ContainingNamespace.ToDisplayString() == "SparseDsl");
        return attribute?.ApplicationSyntaxReference?.GetSyntax().GetLocation() ?? property?.Locations.FirstOrDefault();
    }
}
