using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using SparseDsl.Generators.Model;

namespace SparseDsl.Generators.Analyzers;

/// <summary>
/// Judges valid declarations exactly as the generator parses them (<see cref="ModelParser"/>): SDSL104 too few
/// non-zero weights per neuron, SDSL105 a sparse layer that μP treats as input-like, SDSL106 a model without an
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

        foreach (var layer in model.Layers)
        {
            if (layer.Sparsity is not (double sparsity and > 0) || layer.In is not { } input) continue;
            var location = LayerLocation(type, layer.PropertyName);
            if (!input.ScalesWithWidth)
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.SparseInputLikeLayer, location, layer.PropertyName, input.ToString(), layer.Kind));
                continue;
            }
            long fanIn = (long)model.BaseWidth * input.Numerator / input.Denominator * layer.FanInFactor;
            double density = 1 - sparsity;
            double perNeuron = fanIn * density;
            if (perNeuron < MinWeightsPerNeuron)
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.FewWeightsPerNeuron, location,
                    layer.PropertyName, perNeuron, fanIn, density.ToString("0.######", CultureInfo.InvariantCulture), MinWeightsPerNeuron));
        }

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

    private static Location? LayerLocation(INamedTypeSymbol type, string propertyName)
    {
        var property = type.GetMembers(propertyName).FirstOrDefault();
        var attribute = property?.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ContainingNamespace.ToDisplayString() == "SparseDsl");
        return attribute?.ApplicationSyntaxReference?.GetSyntax().GetLocation() ?? property?.Locations.FirstOrDefault();
    }
}
