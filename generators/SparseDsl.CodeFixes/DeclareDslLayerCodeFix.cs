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
/// SDSL101: turns a raw TorchSharp layer field or property of a model into the DSL layer the diagnostic suggests (its
/// kind names the raw types it replaces): a <c>partial</c> property with that attribute, keeping the raw constructor's
/// literal sizes where the kind can (<c>nn.Conv2d(3, 64, 4)</c> → <c>[Conv(In = "3", Out = "64", Kernel = 4)]</c>).
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
        string? name = member switch
        {
            FieldDeclarationSyntax f when f.Declaration.Variables.Count == 1 => f.Declaration.Variables[0].Identifier.ValueText,
            PropertyDeclarationSyntax p => p.Identifier.ValueText,
            _ => null,
        };
        foreach (var diagnostic in context.Diagnostics)
        {
            if (name is null || !diagnostic.Properties.TryGetValue("SparseDslAttribute", out var attribute) || attribute is null
                || !diagnostic.Properties.TryGetValue("SparseDslLayerType", out var layerType) || layerType is null)
                continue;
            string trimmed = name.TrimStart('_');
            string propertyName = char.ToUpperInvariant(trimmed[0]) + trimmed.Substring(1);
            context.RegisterCodeFix(
                CodeAction.Create($"Declare '{name}' as [{attribute.Split('(')[0]}]", _ =>
                {
                    var replacement = SyntaxFactory.ParseMemberDeclaration($"[global::SparseDsl.{attribute}]\npublic partial {layerType} {propertyName} {{ get; }}")!
                        .WithTriviaFrom(member);
                    return Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(member, replacement)));
                }, nameof(DeclareDslLayerCodeFix) + attribute),
                diagnostic);
        }
    }
}
