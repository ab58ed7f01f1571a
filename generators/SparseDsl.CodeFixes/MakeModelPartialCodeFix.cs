using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace SparseDsl.CodeFixes;

/// <summary>SDSL001: adds the <c>partial</c> modifier to a [Width] class.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MakeModelPartialCodeFix)), Shared]
public sealed class MakeModelPartialCodeFix : CodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create("SDSL001");

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var declaration = root?.FindToken(context.Span.Start).Parent?.AncestorsAndSelf().OfType<ClassDeclarationSyntax>().FirstOrDefault();
        if (root is null || declaration is null) return;
        context.RegisterCodeFix(
            CodeAction.Create("Make the model partial", ct => Task.FromResult(Fix(context.Document, root, declaration)), nameof(MakeModelPartialCodeFix)),
            context.Diagnostics);
    }

    private static Document Fix(Document document, SyntaxNode root, ClassDeclarationSyntax declaration)
    {
        var partial = SyntaxFactory.Token(SyntaxKind.PartialKeyword).WithTrailingTrivia(SyntaxFactory.Space);
        ClassDeclarationSyntax fixedDeclaration;
        if (declaration.Modifiers.Count == 0)
        {
            // Keep the class keyword's leading trivia (attributes' line break) in front of the new modifier.
            fixedDeclaration = declaration
                .WithKeyword(declaration.Keyword.WithLeadingTrivia())
                .WithModifiers(SyntaxFactory.TokenList(partial.WithLeadingTrivia(declaration.Keyword.LeadingTrivia)));
        }
        else
        {
            fixedDeclaration = declaration.WithModifiers(declaration.Modifiers.Add(partial));
        }
        return document.WithSyntaxRoot(root.ReplaceNode(declaration, fixedDeclaration));
    }
}
