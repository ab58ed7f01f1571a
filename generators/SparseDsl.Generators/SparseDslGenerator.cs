using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using System.Text;
using SparseDsl.Generators.Emitting;
using SparseDsl.Generators.Parsing;

namespace SparseDsl.Generators;

/// <summary>
/// Turns every <c>[Width]</c> partial class into a TorchSharp module that follows SμPar. One file per model,
/// <c>{Namespace}.{Type}.g.cs</c>.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class SparseDslGenerator : IIncrementalGenerator
{
    /// <summary>Tracking names of the pipeline steps, for incremental-caching tests.</summary>
    public static class Steps
    {
        /// <summary>The parsed model (or diagnostics) per [Width] class.</summary>
        public const string Models = nameof(Models);
    }

    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var models = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                "SparseDsl.WidthAttribute",
                static (node, _) => node is ClassDeclarationSyntax,
                static (ctx, ct) => ModelParser.Parse(ctx, ct))
            .WithTrackingName(Steps.Models);

        context.RegisterSourceOutput(models, static (spc, result) =>
        {
            foreach (var diagnostic in result.Diagnostics)
                spc.ReportDiagnostic(diagnostic.ToDiagnostic());
            if (result.Model is { } model)
                spc.AddSource(model.HintName, SourceText.From(ModelEmitter.Emit(model), Encoding.UTF8));
        });
    }
}
