using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace SparseDsl.Generators.Tests;

/// <summary>
/// Applies a code fix the way the IDE does: in a workspace whose project matches <see cref="GeneratorHarness.Compilation"/>,
/// to the diagnostic the generator or an analyzer reports.
/// </summary>
internal static class CodeFixHarness
{
    /// <summary>The text after <paramref name="provider"/>'s one action for the first <paramref name="id"/> diagnostic in <paramref name="source"/>.</summary>
    public static async Task<string> ApplyFix(string source, string id, CodeFixProvider provider)
    {
        var document = CreateDocument(source);
        var diagnostic = (await Diagnose(document)).First(d => d.Id == id);
        var actions = new List<CodeAction>();
        await provider.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (a, _) => actions.Add(a), CancellationToken.None));
        var action = Assert.Single(actions);
        var operations = await action.GetOperationsAsync(CancellationToken.None);
        var solution = operations.OfType<ApplyChangesOperation>().Single().ChangedSolution;
        return (await solution.GetDocument(document.Id)!.GetTextAsync()).ToString();
    }

    /// <summary>The SparseDsl diagnostics, from the generator and every analyzer, that <paramref name="source"/> raises in the workspace.</summary>
    public static Task<IReadOnlyList<Diagnostic>> Diagnose(string source) => Diagnose(CreateDocument(source));

    private static async Task<IReadOnlyList<Diagnostic>> Diagnose(Document document)
    {
        var compilation = (await document.Project.GetCompilationAsync())!;
        GeneratorHarness.Driver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        var analyzerDiagnostics = await output.WithAnalyzers(GeneratorHarness.Analyzers).GetAnalyzerDiagnosticsAsync();
        return generatorDiagnostics.Concat(analyzerDiagnostics).Where(d => d.Id.StartsWith("SDSL", StringComparison.Ordinal)).ToList();
    }

    private static Document CreateDocument(string source)
    {
        var workspace = new AdhocWorkspace();
        var compilation = GeneratorHarness.Compilation(source);
        var project = workspace.AddProject(ProjectInfo.Create(ProjectId.CreateNewId(), VersionStamp.Create(), "Probe", "Probe", LanguageNames.CSharp,
            compilationOptions: compilation.Options, parseOptions: GeneratorHarness.ParseOptions, metadataReferences: compilation.References));
        project = project.AddDocument("ImplicitUsings.cs", compilation.SyntaxTrees.Last().ToString()).Project;
        return project.AddDocument("Source0.cs", SourceText.From(source));
    }
}
