using System.Composition;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace SparseDsl.CodeFixes;

/// <summary>SDSL001: adds the <c>partial</c> modifier to a [Width] class.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MakeModelPartialCodeFix)), Shared]
public sealed class MakeModelPartialCodeFix : ReplaceNodeCodeFix<ClassDeclarationSyntax>
{
    /// <summary>The fix for SDSL001.</summary>
    public MakeModelPartialCodeFix() : base("SDSL001") { }

    /// <inheritdoc />
    protected override ClassDeclarationSyntax? Find(SyntaxNode root, TextSpan span) =>
        root.FindToken(span.Start).Parent?.AncestorsAndSelf().OfType<ClassDeclarationSyntax>().FirstOrDefault();

    /// <inheritdoc />
    protected override NodeFix FixFor(ClassDeclarationSyntax declaration, Diagnostic diagnostic) =>
        new("Make the model partial", () => WithPartial(declaration));

    private static ClassDeclarationSyntax WithPartial(ClassDeclarationSyntax declaration)
    {
        var partial = SyntaxFactory.Token(SyntaxKind.PartialKeyword).WithTrailingTrivia(SyntaxFactory.Space);
        if (declaration.Modifiers.Count == 0)
        {
            // Keep the class keyword's leading trivia (attributes' line break) in front of the new modifier.
            return declaration
                .WithKeyword(declaration.Keyword.WithLeadingTrivia())
                .WithModifiers(SyntaxFactory.TokenList(partial.WithLeadingTrivia(declaration.Keyword.LeadingTrivia)));
        }
        return declaration.WithModifiers(declaration.Modifiers.Add(partial));
    }
}
