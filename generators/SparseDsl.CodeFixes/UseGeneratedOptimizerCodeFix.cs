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
/// SDSL102: replaces <c>optim.AdamW(model.parameters(), lr, …)</c> with <c>model.CreateAdamW(new AdamWSettings { LearningRate = lr })</c>,
/// which builds AdamW from the generated per-group learning rates.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UseGeneratedOptimizerCodeFix)), Shared]
public sealed class UseGeneratedOptimizerCodeFix : CodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create("SDSL102");

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var call = root?.FindNode(context.Span, getInnermostNodeForTie: true).AncestorsAndSelf().OfType<InvocationExpressionSyntax>()
            .FirstOrDefault(i => i.ArgumentList.Arguments.FirstOrDefault()?.Expression is InvocationExpressionSyntax
            {
                Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "parameters" or "named_parameters" },
            });
        if (root is null || call is null) return;
        context.RegisterCodeFix(
            CodeAction.Create("Use the model's per-group AdamW (CreateAdamW)", _ => Task.FromResult(Fix(context.Document, root, call)), nameof(UseGeneratedOptimizerCodeFix)),
            context.Diagnostics);
    }

    private static Document Fix(Document document, SyntaxNode root, InvocationExpressionSyntax call)
    {
        var args = call.ArgumentList.Arguments;
        var model = ((MemberAccessExpressionSyntax)((InvocationExpressionSyntax)args[0].Expression).Expression).Expression;
        // The learning rate is the second positional argument or the one named 'lr'.
        var lr = args.FirstOrDefault(a => a.NameColon?.Name.Identifier.ValueText == "lr")?.Expression
                 ?? (args.Count > 1 && args[1].NameColon is null ? args[1].Expression : null);
        string settings = lr is null ? "" : $"new global::SparseDsl.AdamWSettings {{ LearningRate = {lr} }}";
        var replacement = SyntaxFactory.ParseExpression($"{model}.CreateAdamW({settings})").WithTriviaFrom(call);
        return document.WithSyntaxRoot(root.ReplaceNode(call, replacement));
    }
}
