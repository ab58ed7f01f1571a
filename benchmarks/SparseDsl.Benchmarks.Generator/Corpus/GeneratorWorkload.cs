using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using SparseDsl.Generators;

namespace SparseDsl.Benchmarks.Generator.Corpus;

/// <summary>
/// The compilation the generator runs on (N model files, the shared blocks, one unrelated file, the implicit usings),
/// the edited versions of it, and the driver that runs the generator the way the compiler does. Shared by the
/// caching check and the benchmarks so both measure exactly the same thing.
/// </summary>
internal sealed class GeneratorWorkload
{
    /// <summary>The number of models the target is stated for.</summary>
    public const int DefaultModelCount = 50;

    /// <summary>The same language version the generator tests use.</summary>
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Preview);

    // What an SDK project with ImplicitUsings sees (the models' helpers use Math without a using).
    private const string ImplicitUsings = "global using System; global using System.Collections.Generic; global using System.IO; global using System.Linq;";

    private GeneratorWorkload(CSharpCompilation compilation, int modelCount, SyntaxTree unrelated, SyntaxTree unrelatedEdited, SyntaxTree model, SyntaxTree modelEdited)
    {
        Compilation = compilation;
        ModelCount = modelCount;
        UnrelatedTree = unrelated;
        UnrelatedEditedTree = unrelatedEdited;
        ModelTree = model;
        ModelEditedTree = modelEdited;
    }

    /// <summary>The unedited compilation.</summary>
    public CSharpCompilation Compilation { get; }

    /// <summary>How many <c>[Width]</c> models it declares.</summary>
    public int ModelCount { get; }

    /// <summary>How many <c>[Block]</c> classes it declares.</summary>
    public int BlockCount => BlockSources.All.Count;

    /// <summary>The file with no DSL declaration, before and after its edit.</summary>
    public SyntaxTree UnrelatedTree { get; }

    /// <inheritdoc cref="UnrelatedTree"/>
    public SyntaxTree UnrelatedEditedTree { get; }

    /// <summary>The first model's file, before and after an edit inside its <c>forward</c> body.</summary>
    public SyntaxTree ModelTree { get; }

    /// <inheritdoc cref="ModelTree"/>
    public SyntaxTree ModelEditedTree { get; }

    /// <summary>Parses the corpus once; the trees are immutable and shared by every compilation made from it.</summary>
    public static GeneratorWorkload Create(int modelCount = DefaultModelCount)
    {
        var models = Enumerable.Range(0, modelCount)
            .Select(i => ModelRecipe.For(i))
            .Select(r => Parse(ModelSource.Render(r), $"Models/{r.Name}.cs"))
            .ToList();
        var blocks = BlockSources.All.Select(b => Parse(b.Source, b.Path));
        var unrelated = Parse(UnrelatedSource.Original, UnrelatedSource.Path);
        var compilation = CSharpCompilation.Create(
            "Bench.Models",
            models.Concat(blocks).Append(unrelated).Append(Parse(ImplicitUsings, "ImplicitUsings.cs")),
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

        // WithChangedText re-parses incrementally, as the IDE does on a keystroke; done here so no timed region pays it.
        var unrelatedEdited = unrelated.WithChangedText(SourceText.From(Changed(UnrelatedSource.Original, UnrelatedSource.Edited)));
        var model = models[0];
        string modelText = model.GetText().ToString();
        var modelEdited = model.WithChangedText(SourceText.From(Changed(modelText, modelText.Replace(
            ModelSource.ForwardFirstLine, ModelSource.ForwardFirstLine + " h = h.contiguous();", StringComparison.Ordinal))));
        return new GeneratorWorkload(compilation, modelCount, unrelated, unrelatedEdited, model, modelEdited);
    }

    /// <summary>A new compilation with the unrelated file edited (new compilation each call, as after each real edit).</summary>
    public CSharpCompilation WithUnrelatedEdit() => Compilation.ReplaceSyntaxTree(UnrelatedTree, UnrelatedEditedTree);

    /// <summary>A new compilation with one model's <c>forward</c> body edited (no declaration changes).</summary>
    public CSharpCompilation WithModelBodyEdit() => Compilation.ReplaceSyntaxTree(ModelTree, ModelEditedTree);

    /// <summary>A fresh driver holding only <see cref="SparseDslGenerator"/>, configured as the compiler does unless steps are tracked.</summary>
    public static GeneratorDriver CreateDriver(bool trackSteps) => CSharpGeneratorDriver.Create(
        [new SparseDslGenerator().AsSourceGenerator()],
        parseOptions: ParseOptions,
        driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));

    // The framework's assemblies, the runtime and TorchSharp: what a project using SparseDsl compiles against. Only
    // the shared framework's folder is taken from the host's trusted assemblies, so BenchmarkDotNet's own assemblies
    // (also loaded in this process) do not inflate the compilation.
    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
    {
        string framework = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => string.Equals(Path.GetDirectoryName(p), framework, StringComparison.Ordinal))
            .Append(typeof(ScaledLinear).Assembly.Location)
            .Append(typeof(TorchSharp.torch).Assembly.Location);
        return paths.Distinct().Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
    });

    private static SyntaxTree Parse(string source, string path) => CSharpSyntaxTree.ParseText(source, ParseOptions, path: path);

    // An edit that silently does nothing would make the incremental benchmark and the check meaningless.
    private static string Changed(string before, string after) =>
        after != before ? after : throw new InvalidOperationException("the benchmark's edit did not change the source text");
}
