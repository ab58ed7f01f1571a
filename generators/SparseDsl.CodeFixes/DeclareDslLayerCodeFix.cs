using System.Composition;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace SparseDsl.CodeFixes;

/// <summary>
/// SDSL101: turns a raw TorchSharp layer field or property of a model into the DSL layer the diagnostic suggests (its
/// kind names the raw types it replaces): a <c>partial</c> property with that attribute, keeping the raw constructor's
/// literal sizes where the kind can (<c>nn.Conv2d(3, 64, 4)</c> → <c>[Conv(In = "3", Out = "64", Kernel = 4)]</c>).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(DeclareDslLayerCodeFix)), Shared]
public sealed class DeclareDslLayerCodeFix : ReplaceNodeCodeFix<MemberDeclarationSyntax>
{
    /// <summary>The fix for SDSL101.</summary>
    public DeclareDslLayerCodeFix() : base("SDSL101") { }

    /// <inheritdoc />
    protected override MemberDeclarationSyntax? Find(SyntaxNode root, TextSpan span) =>
        root.FindNode(span).AncestorsAndSelf().OfType<MemberDeclarationSyntax>().FirstOrDefault(m => m is FieldDeclarationSyntax or PropertyDeclarationSyntax);

    /// <inheritdoc />
    protected override NodeFix? FixFor(MemberDeclarationSyntax member, Diagnostic diagnostic)
    {
        string? name = member switch
        {
            FieldDeclarationSyntax f when f.Declaration.Variables.Count == 1 => f.Declaration.Variables[0].Identifier.ValueText,
            PropertyDeclarationSyntax p => p.Identifier.ValueText,
            _ => null,
        };
        // The analyzer puts the attribute (with the sizes it kept) and the layer type in the diagnostic's properties.
        if (name is null || !diagnostic.Properties.TryGetValue("SparseDslAttribute", out var attribute) || attribute is null
            || !diagnostic.Properties.TryGetValue("SparseDslLayerType", out var layerType) || layerType is null)
            return null;
        string trimmed = name.TrimStart('_');
        string propertyName = char.ToUpperInvariant(trimmed[0]) + trimmed.Substring(1);
        return new NodeFix(
            $"Declare '{name}' as [{attribute.Split('(')[0]}]",
            () => SyntaxFactory.ParseMemberDeclaration($"[global::SparseDsl.{attribute}]\npublic partial {layerType} {propertyName} {{ get; }}")!.WithTriviaFrom(member),
            attribute);
    }
}
