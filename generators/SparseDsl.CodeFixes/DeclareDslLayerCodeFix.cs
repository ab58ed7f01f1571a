using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace SparseDsl.CodeFixes;

/// <summary>
/// SDSL101: turns a raw TorchSharp <c>Linear</c> or <c>Embedding</c> field/property of a model into a DSL layer, a
/// <c>partial</c> property with <c>[Linear]</c> / <c>[Embedding(Vocab = …)]</c> (width → width; adjust In/Out as needed).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(DeclareDslLayerCodeFix)), Shared]
public sealed class DeclareDslLayerCodeFix : CodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create("SDSL101");

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var node = root?.FindNode(context.Span);
        MemberDeclarationSyntax? member = node?.AncestorsAndSelf().OfType<MemberDeclarationSyntax>().FirstOrDefault(m => m is FieldDeclarationSyntax or PropertyDeclarationSyntax);
        if (root is null || member is null) return;
        var (name, type, initializer) = member switch
        {
            FieldDeclarationSyntax f when f.Declaration.Variables.Count == 1 => (f.Declaration.Variables[0].Identifier.ValueText, f.Declaration.Type, f.Declaration.Variables[0].Initializer?.Value),
            PropertyDeclarationSyntax p => (p.Identifier.ValueText, p.Type, p.Initializer?.Value),
            _ => (null, null, null),
        };
        string? typeName = type is null ? null : (type is QualifiedNameSyntax q ? q.Right.Identifier.ValueText : type.ToString());
        if (name is null || typeName is not ("Linear" or "Embedding")) return;

        string attribute = typeName == "Linear" ? "[global::SparseDsl.Linear]" : $"[global::SparseDsl.Embedding(Vocab = {VocabOf(initializer)})]";
        string layerType = typeName == "Linear" ? "global::SparseDsl.ScaledLinear" : "global::SparseDsl.ScaledEmbedding";
        string propertyName = char.ToUpperInvariant(name.TrimStart('_')[0]) + name.TrimStart('_').Substring(1);
        context.RegisterCodeFix(
            CodeAction.Create($"Declare '{name}' as a SparseDsl layer", _ =>
            {
                var replacement = SyntaxFactory.ParseMemberDeclaration($"{attribute}\npublic partial {layerType} {propertyName} {{ get; }}")!
                    .WithTriviaFrom(member);
                return Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(member, replacement)));
            }, nameof(DeclareDslLayerCodeFix)),
            context.Diagnostics);
    }

    // nn.Embedding(num_embeddings, dim): keep the vocabulary when it is written as a number.
    private static string VocabOf(ExpressionSyntax? initializer) =>
        initializer is InvocationExpressionSyntax { ArgumentList.Arguments: { Count: > 0 } args } && args[0].Expression is LiteralExpressionSyntax literal
            ? literal.Token.ValueText
            : "/* vocabulary size */ 1";
}
