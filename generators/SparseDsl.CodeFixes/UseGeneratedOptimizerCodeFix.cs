using System.Composition;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace SparseDsl.CodeFixes;

/// <summary>
/// SDSL102: replaces <c>optim.AdamW(model.parameters(), lr, …)</c> with <c>model.CreateAdamW(new AdamWSettings { LearningRate = lr })</c>,
/// which builds AdamW from the generated per-group learning rates.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UseGeneratedOptimizerCodeFix)), Shared]
public sealed class UseGeneratedOptimizerCodeFix : ReplaceNodeCodeFix<InvocationExpressionSyntax>
{
    /// <summary>The fix for SDSL102.</summary>
    public UseGeneratedOptimizerCodeFix() : base("SDSL102") { }

    /// <inheritdoc />
    protected override InvocationExpressionSyntax? Find(SyntaxNode root, TextSpan span) =>
        root.FindNode(span, getInnermostNodeForTie: true).AncestorsAndSelf().OfType<InvocationExpressionSyntax>()
            .FirstOrDefault(i => i.ArgumentList.Arguments.FirstOrDefault()?.Expression is InvocationExpressionSyntax
            {
                Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "parameters" or "named_parameters" },
            });

    /// <inheritdoc />
    protected override NodeFix FixFor(InvocationExpressionSyntax call, Diagnostic diagnostic) =>
        new("Use the model's per-group AdamW (CreateAdamW)", () => CreateAdamW(call));

    private static ExpressionSyntax CreateAdamW(InvocationExpressionSyntax call)
    {
        var args = call.ArgumentList.Arguments;
        var model = ((MemberAccessExpressionSyntax)((InvocationExpressionSyntax)args[0].Expression).Expression).Expression;
        // The learning rate is the second positional argument or the one named 'lr'.
        var lr = args.FirstOrDefault(a => a.NameColon?.Name.Identifier.ValueText == "lr")?.Expression
                 ?? (args.Count > 1 && args[1].NameColon is null ? args[1].Expression : null);
        string settings = lr is null ? "" : $"new global::SparseDsl.AdamWSettings {{ LearningRate = {lr} }}";
        return SyntaxFactory.ParseExpression($"{model}.CreateAdamW({settings})").WithTriviaFrom(call);
    }
}
