using System;
using System.Collections.Immutable;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Text;

namespace SparseDsl.CodeFixes;

/// <summary>
/// The plumbing every SparseDsl code fix shares: one diagnostic ID, batch fix-all, finding the node the diagnostic
/// points at, and registering its action with an equivalence key. A fix says only which node it replaces
/// (<see cref="Find"/>) and with what (<see cref="FixFor"/>).
/// </summary>
/// <typeparam name="TNode">The kind of syntax node the fix replaces.</typeparam>
public abstract class ReplaceNodeCodeFix<TNode> : CodeFixProvider
    where TNode : SyntaxNode
{
    /// <summary>A fix for the diagnostic with ID <paramref name="diagnosticId"/>.</summary>
    protected ReplaceNodeCodeFix(string diagnosticId) => FixableDiagnosticIds = ImmutableArray.Create(diagnosticId);

    /// <inheritdoc />
    public sealed override ImmutableArray<string> FixableDiagnosticIds { get; }

    /// <inheritdoc />
    public sealed override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public sealed override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var node = root is null ? null : Find(root, context.Span);
        if (root is null || node is null) return;
        // Diagnostics that get the same fix share one action (the generator and an analyzer may both report the same
        // problem at the same place), so the light bulb offers each fix once.
        var fixes = context.Diagnostics
            .Select(diagnostic => (Diagnostic: diagnostic, Fix: FixFor(node, diagnostic)))
            .Where(d => d.Fix is not null)
            .GroupBy(d => d.Fix!.Variant);
        foreach (var same in fixes)
        {
            var fix = same.First().Fix!;
            context.RegisterCodeFix(
                CodeAction.Create(fix.Title, _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(node, fix.Replacement()))), GetType().Name + fix.Variant),
                same.Select(d => d.Diagnostic).ToImmutableArray());
        }
    }

    /// <summary>The node the diagnostic at <paramref name="span"/> is about, or null when there is none to fix.</summary>
    protected abstract TNode? Find(SyntaxNode root, TextSpan span);

    /// <summary>What fixes <paramref name="diagnostic"/> on <paramref name="node"/>, or null when it cannot be fixed.</summary>
    protected abstract NodeFix? FixFor(TNode node, Diagnostic diagnostic);

    /// <summary>One code action: its title and the node that replaces the diagnosed one, built only when the fix is applied.</summary>
    /// <param name="Title">What the light bulb shows.</param>
    /// <param name="Replacement">Builds the new node.</param>
    /// <param name="Variant">
    /// Tells this fix apart from the provider's other fixes in its equivalence key (so Fix All applies the same fix
    /// everywhere); empty when the provider has one fix only.
    /// </param>
    protected sealed record NodeFix(string Title, Func<SyntaxNode> Replacement, string Variant = "");
}
