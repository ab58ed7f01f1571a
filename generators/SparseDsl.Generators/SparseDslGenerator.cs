using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using System.Text;
using SparseDsl.Generators.Emitting;
using SparseDsl.Generators.Specs;
using SparseDsl.Generators.Parsing;

namespace SparseDsl.Generators;

/// <summary>
/// Turns every <c>[Width]</c> model and <c>[Block]</c> class into a TorchSharp module that follows SμPar. One file per
/// class, <c>{Namespace}.{Type}.g.cs</c>.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class SparseDslGenerator : IIncrementalGenerator
{
    /// <summary>Tracking names of the pipeline steps, for incremental-caching tests.</summary>
    public static class Steps
    {
        /// <summary>The parsed model (or diagnostics) per [Width] class.</summary>
        public const string Models = nameof(Models);

        /// <summary>The parsed block (or diagnostics) per [Block] class.</summary>
        public const string Blocks = nameof(Blocks);
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
        var blocks = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                "SparseDsl.BlockAttribute",
                static (node, _) => node is ClassDeclarationSyntax,
                static (ctx, ct) => ModelParser.ParseBlock(ctx, ct))
            .WithTrackingName(Steps.Blocks);

        context.RegisterSourceOutput(models, static (spc, result) => Output(spc, result));
        context.RegisterSourceOutput(blocks, static (spc, result) => Output(spc, result));
    }

    private static void Output(SourceProductionContext context, ParseResult result)
    {
        foreach (var diagnostic in result.Diagnostics)
            context.ReportDiagnostic(diagnostic.ToDiagnostic());
        if (result.Model is { } model)
            context.AddSource(model.HintName, SourceText.From(ModelEmitter.Emit(model), Encoding.UTF8));
        else if (result.Shell is { } shell)
            context.AddSource(shell.HintName, SourceText.From(ShellEmitter.Emit(shell), Encoding.UTF8));
    }
}
