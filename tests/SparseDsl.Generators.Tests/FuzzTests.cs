using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using SparseDsl.Generators.Tests.Fuzz;
using Xunit.Abstractions;

namespace SparseDsl.Generators.Tests;

/// <summary>
/// The generator never throws and never goes silent: thousands of random declarations (every layer kind, blocks,
/// repeats, ties and SAT with random values; wrong member kinds and types, missing modifiers, broken syntax) each end
/// as generated code that compiles, or as the diagnostic each mistake calls for with an error shell for its class.
/// </summary>
public class FuzzTests(ITestOutputHelper output)
{
    private const int Cases = 2000;

    // About 1.5 minutes on two cores, every other generator test well under 5 s: `--filter "Category!=Slow"` leaves it out of a quick loop.
    [Fact]
    [Trait("Category", "Slow")]
    public void Two_thousand_random_declarations_never_crash_the_generator_and_never_go_silent()
    {
        var random = new Random(20241122);
        var tally = new FuzzTally();
        for (int i = 0; i < Cases; i++)
        {
            var c = RandomDeclarations.Next(random, i);
            Check(i, c, GeneratorHarness.Run(c.Source));
            tally.Add(c);
        }
        output.WriteLine(tally.ToString());
        tally.AssertCovers(cases: 300, perKind: 50);
    }

    private static void Check(int i, FuzzCase c, GeneratorHarness.Result result)
    {
        string context = $"case {i}:\n{c.Source}";
        Assert.True(result.Exceptions.Count == 0, $"generator threw {result.Exceptions.FirstOrDefault()}\n{context}");
        Assert.DoesNotContain(result.GeneratorDiagnostics, d => d.Id == "CS8785");
        var sparseDsl = result.GeneratorDiagnostics.Where(d => d.Id.StartsWith("SDSL", StringComparison.Ordinal)).ToList();
        if (c.SyntaxBroken)
        {
            // Broken syntax is the compiler's to report; the generator only has to survive it.
            Assert.Contains(CSharpSyntaxTree.ParseText(c.Source, GeneratorHarness.ParseOptions).GetDiagnostics(), d => d.Severity == DiagnosticSeverity.Error);
            return;
        }
        Assert.True(result.Generated.Keys.All(hint => c.Classes.Any(k => k.HintName == hint)), $"generated {string.Join(", ", result.Generated.Keys)}, not one file per class\n{context}");
        if (c.Valid)
            Assert.True(sparseDsl.Count == 0, $"valid declaration got {string.Join("; ", sparseDsl)}\n{context}");
        foreach (var mistake in c.Mistakes.GroupBy(m => m.Culprit))
            Assert.True(sparseDsl.Any(d => mistake.Any(m => m.Id == d.Id) && d.GetMessage(CultureInfo.InvariantCulture).Contains($"'{mistake.Key}'", StringComparison.Ordinal)),
                $"no {string.Join(" or ", mistake.Select(m => m.Id).Distinct())} for '{mistake.Key}' (got {string.Join("; ", sparseDsl)})\n{context}");
        foreach (var cls in c.Classes)
            CheckGenerated(cls, c.IsValid(cls), result, context);
        if (c.MustCompile)
            CheckCompiles(c, result, context);
    }

    // User plus generated code compiles, unless a class that generated its model draws on a known bug: then it must
    // still fail, so that a fix cannot leave the entry in KnownBugs (a class with an error shell may compile either way).
    private static void CheckCompiles(FuzzCase c, GeneratorHarness.Result result, string context)
    {
        var bugs = c.Classes.Where(k => k.KnownBug is not null).ToList();
        if (bugs.Count == 0)
            Assert.True(result.CompileErrors.Count == 0, $"does not compile: {string.Join("; ", result.CompileErrors.Take(3))}\n{context}");
        else if (bugs.FirstOrDefault(c.IsValid) is { } bug)
            Assert.True(result.CompileErrors.Count > 0, $"known bug '{bug.KnownBug}' no longer reproduces in {bug.Name}: remove it from KnownBugs\n{context}");
    }

    // A valid class generates its module; an invalid one an error shell (GeneratorHarness.AssertErrorShellOnly), or
    // nothing when even a shell cannot be added to it (not partial, generic).
    private static void CheckGenerated(FuzzClass cls, bool valid, GeneratorHarness.Result result, string context)
    {
        result.Generated.TryGetValue(cls.HintName, out string? generated);
        if (!cls.Shape.GetsShell())
            Assert.True(generated is null, $"{cls.Name} cannot take generated code, yet {cls.HintName} was generated\n{context}");
        else if (valid)
            Assert.True(generated is not null && !generated.Contains("has SparseDsl errors", StringComparison.Ordinal), $"{cls.Name} is valid but got {(generated is null ? "nothing" : "a shell")}\n{context}");
        else
            Assert.True(generated is not null && generated.Contains("has SparseDsl errors", StringComparison.Ordinal), $"{cls.Name} has mistakes but got {(generated is null ? "nothing" : "a model")}\n{context}");
    }
}
