using Microsoft.CodeAnalysis;

namespace SparseDsl.Generators.Tests;

/// <summary>The run-twice harness: edits that do not change a declaration leave every tracked step cached.</summary>
public class IncrementalTests
{
    [Theory]
    [InlineData("private int Unrelated() { return 1; }", "private int Unrelated() { return 2 + 3; }")]
    [InlineData("return Readout.call(h);", "var unused = 1; return Readout.call(h);")]
    public void Edits_outside_declarations_keep_every_step_cached(string before, string after)
    {
        string edited = Samples.Mlp.Replace(before, after);
        Assert.NotEqual(Samples.Mlp, edited);
        GeneratorHarness.AssertNothingRecomputed(GeneratorHarness.RunTwice(Samples.Mlp, edited), SparseDslGenerator.Steps.Models);
    }

    [Fact]
    public void Changing_a_declaration_regenerates()
    {
        var driver = GeneratorHarness.RunTwice(Samples.Mlp, Samples.Mlp.Replace("0.875", "0.75"));
        Assert.Contains(GeneratorHarness.StepOutputs(driver, SparseDslGenerator.Steps.Models), o => o.Reason == IncrementalStepRunReason.Modified);
    }

    [Fact]
    public void Pipeline_models_hold_no_symbols_syntax_or_compilation()
    {
        var driver = GeneratorHarness.Driver().RunGenerators(GeneratorHarness.Compilation(Samples.Mlp));
        foreach (var (value, _) in GeneratorHarness.StepOutputs(driver, SparseDslGenerator.Steps.Models))
            GeneratorHarness.AssertHoldsNoRoslynObjects(value, "model");
    }
}
