using System.Collections;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace SparseDsl.Generators.Tests;

/// <summary>The run-twice harness: edits that do not change a declaration leave every tracked step cached.</summary>
public class IncrementalTests
{
    [Theory]
    [InlineData("private int Unrelated() { return 1; }", "private int Unrelated() { return 2 + 3; }")]
    [InlineData("return Readout.call(h);", "var unused = 1; return Readout.call(h);")]
    public void Edits_outside_declarations_keep_every_step_cached(string before, string after)
    {
        var compilation = GeneratorHarness.Compilation(Samples.Mlp);
        var driver = GeneratorHarness.Driver().RunGenerators(compilation);

        var tree = compilation.SyntaxTrees.First();
        var edited = compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(Samples.Mlp.Replace(before, after))));
        Assert.NotEqual(Samples.Mlp, Samples.Mlp.Replace(before, after));
        driver = driver.RunGenerators(edited);

        var steps = driver.GetRunResult().Results.Single().TrackedSteps[SparseDslGenerator.Steps.Models];
        Assert.All(steps.SelectMany(s => s.Outputs), o => Assert.True(
            o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"step output was {o.Reason}"));
        var output = driver.GetRunResult().Results.Single().TrackedOutputSteps.SelectMany(kv => kv.Value).SelectMany(s => s.Outputs);
        Assert.All(output, o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
    }

    [Fact]
    public void Changing_a_declaration_regenerates()
    {
        var compilation = GeneratorHarness.Compilation(Samples.Mlp);
        var driver = GeneratorHarness.Driver().RunGenerators(compilation);
        var tree = compilation.SyntaxTrees.First();
        driver = driver.RunGenerators(compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(Samples.Mlp.Replace("0.875", "0.75")))));
        var steps = driver.GetRunResult().Results.Single().TrackedSteps[SparseDslGenerator.Steps.Models];
        Assert.Contains(steps.SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
    }

    [Fact]
    public void Pipeline_models_hold_no_symbols_syntax_or_compilation()
    {
        var driver = GeneratorHarness.Driver().RunGenerators(GeneratorHarness.Compilation(Samples.Mlp));
        var steps = driver.GetRunResult().Results.Single().TrackedSteps[SparseDslGenerator.Steps.Models];
        foreach (var (value, _) in steps.SelectMany(s => s.Outputs))
            AssertNoRoslynObjects(value, new HashSet<object>(ReferenceEqualityComparer.Instance), "model");
    }

    internal static void AssertNoRoslynObjects(object? value, HashSet<object> seen, string path)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum) return;
        Assert.False(value is ISymbol or SyntaxNode or Compilation or SemanticModel or Location, $"{path} holds a {value.GetType().Name}");
        if (!value.GetType().IsValueType && !seen.Add(value)) return;
        if (value is Microsoft.CodeAnalysis.Text.TextSpan or Microsoft.CodeAnalysis.Text.LinePositionSpan) return;
        if (value is IEnumerable items)
        {
            int i = 0;
            foreach (var item in items) AssertNoRoslynObjects(item, seen, $"{path}[{i++}]");
            return;
        }
        foreach (var field in value.GetType().GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
            AssertNoRoslynObjects(field.GetValue(value), seen, $"{path}.{field.Name}");
    }
}
