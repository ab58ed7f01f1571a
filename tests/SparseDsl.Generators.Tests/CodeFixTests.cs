using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using SparseDsl.CodeFixes;

namespace SparseDsl.Generators.Tests;

/// <summary>Each code fix applied in a workspace: the text it produces, and that the diagnostic is gone afterwards.</summary>
public class CodeFixTests
{
    private const string Layers = Samples.ValidLayers;

    [Fact]
    public async Task Make_partial()
    {
        string source = Samples.Model(Layers, "[Width(Base = 256)]\npublic sealed class Bad");
        string fixedText = await ApplyFix(source, "SDSL001", new MakeModelPartialCodeFix());
        Assert.Contains("public sealed partial class Bad", fixedText);
        Assert.DoesNotContain(await Diagnose(fixedText), d => d.Id == "SDSL001");
    }

    [Fact]
    public async Task Make_partial_without_other_modifiers()
    {
        string source = Samples.Model(Layers, "[Width(Base = 256)]\nclass Bad");
        string fixedText = await ApplyFix(source, "SDSL001", new MakeModelPartialCodeFix());
        Assert.Contains("[Width(Base = 256)]\npartial class Bad", fixedText.Replace("\r\n", "\n"));
        Assert.Empty(await Diagnose(fixedText));
    }

    [Fact]
    public async Task Replace_raw_optimizer_with_the_generated_groups()
    {
        string source = Samples.Model(Layers) + """

            public static class Training
            {
                public static object Make(Demo.Bad model) => optim.AdamW(model.parameters(), 0.02, weight_decay: 0.1);
            }
            """;
        string fixedText = await ApplyFix(source, "SDSL102", new UseGeneratedOptimizerCodeFix());
        Assert.Contains("model.CreateAdamW(new global::SparseDsl.AdamWSettings { LearningRate = 0.02 })", fixedText);
        Assert.Empty(await Diagnose(fixedText));
    }

    [Fact]
    public async Task Declare_a_raw_linear_as_a_dsl_layer()
    {
        string source = Samples.Model(Layers + "\n    private TorchSharp.Modules.Linear proj = nn.Linear(256, 256);");
        string fixedText = await ApplyFix(source, "SDSL101", new DeclareDslLayerCodeFix());
        Assert.Contains("[global::SparseDsl.Linear]", fixedText);
        Assert.Contains("public partial global::SparseDsl.ScaledLinear Proj { get; }", fixedText);
        Assert.Empty(await Diagnose(fixedText));
    }

    [Fact]
    public async Task Declare_a_raw_embedding_keeps_its_vocabulary()
    {
        string source = Samples.Model(Layers + "\n    public TorchSharp.Modules.Embedding Pos { get; } = nn.Embedding(64, 256);");
        string fixedText = await ApplyFix(source, "SDSL101", new DeclareDslLayerCodeFix());
        Assert.Contains("[global::SparseDsl.Embedding(Vocab = 64)]", fixedText);
        Assert.Empty(await Diagnose(fixedText));
    }

    [Fact]
    public async Task Declare_a_raw_conv_as_a_conv_layer_keeping_its_sizes()
    {
        string source = Samples.Model(Layers + "\n    private TorchSharp.Modules.Conv2d patches = nn.Conv2d(3, 256, 4);");
        string fixedText = await ApplyFix(source, "SDSL101", new DeclareDslLayerCodeFix());
        Assert.Contains("[global::SparseDsl.Conv(In = \"3\", Out = \"width\", Kernel = 4)]", fixedText);
        Assert.Contains("public partial global::SparseDsl.ScaledConv Patches { get; }", fixedText);
        Assert.Empty(await Diagnose(fixedText));
    }

    private static async Task<string> ApplyFix(string source, string id, CodeFixProvider provider)
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

    private static Task<IReadOnlyList<Diagnostic>> Diagnose(string source) => Diagnose(CreateDocument(source));

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
