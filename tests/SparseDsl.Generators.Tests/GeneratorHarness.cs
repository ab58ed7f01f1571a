using System.Collections;
using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace SparseDsl.Generators.Tests;

/// <summary>Runs <see cref="SparseDslGenerator"/> over source text the way the compiler does, with step tracking on.</summary>
internal static class GeneratorHarness
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator).ToList();
        paths.Add(typeof(SparseDsl.ScaledLinear).Assembly.Location);
        paths.Add(typeof(TorchSharp.torch).Assembly.Location);
        return paths.Distinct().Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
    });

    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Preview);

    // What an SDK project with ImplicitUsings (the default template) sees.
    private const string ImplicitUsings = "global using System; global using System.Collections.Generic; global using System.IO; global using System.Linq;";

    public static CSharpCompilation Compilation(params string[] sources) => CSharpCompilation.Create(
        "Probe",
        sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"Source{i}.cs"))
            .Append(CSharpSyntaxTree.ParseText(ImplicitUsings, ParseOptions, path: "ImplicitUsings.cs")),
        References.Value,
        new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver Driver() => CSharpGeneratorDriver.Create(
        [new SparseDslGenerator().AsSourceGenerator()],
        parseOptions: ParseOptions,
        driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Generates, then compiles user code plus generated code.</summary>
    public static Result Run(params string[] sources)
    {
        var compilation = Compilation(sources);
        var driver = Driver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        var run = driver.GetRunResult();
        var generated = run.Results.SelectMany(r => r.GeneratedSources).ToDictionary(s => s.HintName, s => s.SourceText.ToString());
        var compileDiagnostics = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        return new Result(generated, generatorDiagnostics.ToList(), compileDiagnostics, run.Results.Select(r => r.Exception).Where(e => e is not null).ToList()!);
    }

    /// <summary>
    /// The run-twice harness: generates for <paramref name="before"/>, then, on the same driver, for the same compilation
    /// with its first file edited to <paramref name="after"/>, so the second run's steps say what was cached.
    /// </summary>
    public static GeneratorDriver RunTwice(string before, string after)
    {
        var compilation = Compilation(before);
        var driver = Driver().RunGenerators(compilation);
        var tree = compilation.SyntaxTrees.First();
        return driver.RunGenerators(compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(after))));
    }

    /// <summary>Every output of the tracked step <paramref name="step"/> (a <see cref="SparseDslGenerator.Steps"/> name) in the driver's last run.</summary>
    public static IReadOnlyList<(object Value, IncrementalStepRunReason Reason)> StepOutputs(GeneratorDriver driver, string step) =>
        driver.GetRunResult().Results.Single().TrackedSteps[step].SelectMany(s => s.Outputs).ToList();

    /// <summary>The driver's last run recomputed nothing: the outputs of <paramref name="steps"/> are cached or unchanged, and every source output is cached.</summary>
    public static void AssertNothingRecomputed(GeneratorDriver driver, params string[] steps)
    {
        Assert.All(steps.SelectMany(step => StepOutputs(driver, step)), o => Assert.True(
            o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"step output was {o.Reason}"));
        var output = driver.GetRunResult().Results.Single().TrackedOutputSteps.SelectMany(kv => kv.Value).SelectMany(s => s.Outputs);
        Assert.All(output, o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
    }

    /// <summary>
    /// A pipeline value holds no symbol, syntax node, location, semantic model or compilation, however deep: one that did
    /// would keep the compilation alive and defeat caching. <paramref name="path"/> names the value in the failure.
    /// </summary>
    public static void AssertHoldsNoRoslynObjects(object? value, string path) =>
        AssertHoldsNoRoslynObjects(value, new HashSet<object>(ReferenceEqualityComparer.Instance), path);

    private static void AssertHoldsNoRoslynObjects(object? value, HashSet<object> seen, string path)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum) return;
        Assert.False(value is ISymbol or SyntaxNode or Microsoft.CodeAnalysis.Compilation or SemanticModel or Location, $"{path} holds a {value.GetType().Name}");
        if (!value.GetType().IsValueType && !seen.Add(value)) return;
        if (value is Microsoft.CodeAnalysis.Text.TextSpan or Microsoft.CodeAnalysis.Text.LinePositionSpan) return;
        if (value is IEnumerable items)
        {
            int i = 0;
            foreach (var item in items) AssertHoldsNoRoslynObjects(item, seen, $"{path}[{i++}]");
            return;
        }
        foreach (var field in value.GetType().GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
            AssertHoldsNoRoslynObjects(field.GetValue(value), seen, $"{path}.{field.Name}");
    }

    /// <summary>Every SparseDsl analyzer.</summary>
    public static ImmutableArray<DiagnosticAnalyzer> Analyzers { get; } =
        [new Generators.Analyzers.ScalingEscapeAnalyzer(), new Generators.Analyzers.RawOptimizerAnalyzer(), new Generators.Analyzers.DeclarationAnalyzer(), new Generators.Analyzers.ChainedDimensionAnalyzer(), new Generators.Analyzers.ResidualBranchAnalyzer()];

    /// <summary>Generates, then runs every SparseDsl analyzer over user plus generated code.</summary>
    public static IReadOnlyList<Diagnostic> Analyze(string source, IReadOnlyDictionary<string, ReportDiagnostic>? severities = null)
        => Analyze([source], severities);

    /// <summary>Generates, then runs every SparseDsl analyzer over several user files plus generated code.</summary>
    public static IReadOnlyList<Diagnostic> Analyze(string[] sources, IReadOnlyDictionary<string, ReportDiagnostic>? severities = null)
    {
        var compilation = Compilation(sources);
        if (severities is not null)
            compilation = compilation.WithOptions(compilation.Options.WithSpecificDiagnosticOptions(severities));
        Driver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        return output.WithAnalyzers(Analyzers).GetAllDiagnosticsAsync().GetAwaiter().GetResult()
            .Where(d => d.Id.StartsWith("SDSL", StringComparison.Ordinal))
            // Analyzers run concurrently, so the raw order varies between machines; tests read them in source order.
            .OrderBy(d => d.Location.SourceTree?.FilePath, StringComparer.Ordinal)
            .ThenBy(d => d.Location.SourceSpan.Start)
            .ThenBy(d => d.Id, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// A declaration with errors generates no model, only a shell that throws; with the shell in place the compiler
    /// adds no errors of its own (no CS9248 missing partial implementation, no CS0115 override without a base), so
    /// the SparseDsl error is all the user sees.
    /// </summary>
    public static void AssertErrorShellOnly(Result result)
    {
        Assert.All(result.Generated.Values, source => Assert.Contains("has SparseDsl errors", source));
        if (result.Generated.Count > 0)
            Assert.Empty(result.CompileErrors.Select(e => $"{e.Id}: {e.GetMessage()}"));
    }

    public sealed record Result(
        IReadOnlyDictionary<string, string> Generated,
        IReadOnlyList<Diagnostic> GeneratorDiagnostics,
        IReadOnlyList<Diagnostic> CompileErrors,
        IReadOnlyList<Exception> Exceptions);
}
