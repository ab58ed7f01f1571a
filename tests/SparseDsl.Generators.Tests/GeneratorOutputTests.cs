namespace SparseDsl.Generators.Tests;

public class GeneratorOutputTests
{
    [Fact]
    public void Mlp_output_matches_the_approved_snapshot()
    {
        var result = GeneratorHarness.Run(Samples.Mlp);
        Assert.Empty(result.Exceptions);
        Assert.Empty(result.GeneratorDiagnostics);
        Snapshot.Match(result.Generated["Demo.Models.SparseMlp.g.cs"], "SparseMlp");
    }

    [Fact]
    public void Global_namespace_model_output_matches_the_approved_snapshot()
    {
        var result = GeneratorHarness.Run(Samples.TinyLm);
        Assert.Empty(result.GeneratorDiagnostics);
        Snapshot.Match(result.Generated["TinyLm.g.cs"], "TinyLm");
    }

    [Fact]
    public void A_run_time_vocabulary_is_declared_once_with_its_default()
    {
        var result = GeneratorHarness.Run(Samples.VocabLm);
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.True(result.CompileErrors.Count == 0, string.Join("\n", result.CompileErrors));
        string code = result.Generated["VocabLm.g.cs"];
        Assert.Contains("}) { Vocabulary = 300 };", code);
        Assert.Contains("new global::SparseDsl.EmbeddingAttribute { Rows = \"vocab\" }", code);
        Assert.Contains("new global::SparseDsl.ReadoutAttribute { Out = \"vocab\", TiedTo = \"TokenEmbedding\" }", code);
        // Without [Width(Vocab)] the declaration has no default, and the snapshot models keep their exact output.
        Assert.DoesNotContain("Vocabulary", GeneratorHarness.Run(Samples.TinyLm).Generated["TinyLm.g.cs"]);
    }

    [Theory]
    [InlineData(Samples.Mlp)]
    [InlineData(Samples.TinyLm)]
    [InlineData(Samples.BlockLm)]
    [InlineData(Samples.VocabLm)]
    public void Generated_code_compiles_with_the_user_code(string source)
    {
        var result = GeneratorHarness.Run(source);
        Assert.True(result.CompileErrors.Count == 0, string.Join("\n", result.CompileErrors));
    }

    [Theory]
    [InlineData("Demo.Blocks.BlockLm.g.cs", "BlockLm")]
    [InlineData("Demo.Blocks.Layer.g.cs", "BlockLmLayer")]
    [InlineData("Demo.Blocks.Attn.g.cs", "BlockLmAttn")]
    public void Block_output_matches_the_approved_snapshot(string file, string snapshot)
    {
        var result = GeneratorHarness.Run(Samples.BlockLm);
        Assert.Empty(result.GeneratorDiagnostics);
        Snapshot.Match(result.Generated[file], snapshot);
    }

    [Fact]
    public void Blocks_are_built_from_the_models_plan_and_the_tied_readout_after_its_embedding()
    {
        var generated = GeneratorHarness.Run(Samples.BlockLm).Generated;
        string model = generated["Demo.Blocks.BlockLm.g.cs"], layer = generated["Demo.Blocks.Layer.g.cs"], attn = generated["Demo.Blocks.Attn.g.cs"];
        Assert.Contains("new global::SparseDsl.ChildDeclaration(\"layers\", static () => global::Demo.Blocks.Layer.Declaration, 3)", model);
        Assert.Contains("Plan.DepthOf(prefix + \"layers\")", model);
        Assert.Contains("TiedTo = \"Embed\"", model); // as written (nameof(Embed)); the runtime resolves it like the generator names layers
        Assert.True(model.IndexOf("this.@head = new global::SparseDsl.ScaledLinear(Plan[prefix + \"head\"], this.@embed);", StringComparison.Ordinal)
                    > model.IndexOf("@embed = new", StringComparison.Ordinal));
        Assert.Contains("public Layer(global::SparseDsl.ModelPlan plan, string prefix, long seed", layer);
        Assert.Contains("new global::Demo.Blocks.Attn(Plan, prefix + \"attention.\", seed, device)", layer);
        Assert.Contains("Kind = global::SparseDsl.NormKind.RmsNorm", layer);
        Assert.Contains("ZeroInit = true", attn);
        Assert.Contains("HeadDim = 16, Positions = global::SparseDsl.PositionEncoding.None", attn);
        Assert.Contains("private readonly global::SparseDsl.ScaledLinear @out;", attn); // a keyword as a state-dict name
        Assert.DoesNotContain("BaseWidth", layer); // a block takes its width from its model
        Assert.DoesNotContain("CreateAdamW", attn);
    }

    [Fact]
    public void Generated_code_wires_to_the_runtime_instead_of_computing_scaling()
    {
        string code = GeneratorHarness.Run(Samples.Mlp).Generated["Demo.Models.SparseMlp.g.cs"];
        Assert.Contains("global::SparseDsl.ModelPlan.Create(", code);
        // The declaration is the attribute as written: no defaults restated, no scaling computed.
        Assert.Contains("new global::SparseDsl.LayerDeclaration(\"mlp_up\", new global::SparseDsl.SparseLinearAttribute { Sparsity = 0.5d, In = \"width\", Out = \"4*width\" })", code);
        Assert.Contains("this.@hidden = new global::SparseDsl.ScaledLinear(Plan[prefix + \"hidden\"], seed, device);", code);
        Assert.Contains("RegisterComponents();", code);
        Assert.DoesNotContain("register_module", code); // fields named like state-dict keys are registered by reflection
        Assert.Contains("internal partial global::SparseDsl.ScaledLinear @MlpUp { get => this.@mlp_up; }", code);
        // No scaling formula is re-derived in emitted text.
        Assert.DoesNotContain("Math.Sqrt", code);
        Assert.DoesNotContain("InitStd", code);
    }

    [Fact]
    public void Generated_code_carries_the_version_and_generated_code_attribute()
    {
        string code = GeneratorHarness.Run(Samples.TinyLm).Generated["TinyLm.g.cs"];
        Assert.StartsWith("// <auto-generated/>", code);
        Assert.Contains($"[global::System.CodeDom.Compiler.GeneratedCode(\"SparseDsl.Generators\", \"{Emitting.ModelEmitter.Version}\")]", code);
        Assert.NotEqual("0.0.0", Emitting.ModelEmitter.Version);
    }

    [Fact]
    public void A_class_without_the_attribute_generates_nothing()
    {
        var result = GeneratorHarness.Run("public partial class Plain { }");
        Assert.Empty(result.Generated);
    }
}

public class ReadmeExampleTests
{
    [Fact]
    public void The_readme_example_compiles()
    {
        var result = GeneratorHarness.Run(Samples.Readme);
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.True(result.CompileErrors.Count == 0, string.Join("\n", result.CompileErrors));
    }

    [Fact]
    public void The_readme_still_contains_the_tested_declaration()
    {
        string readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md")).Replace("\r\n", "\n");
        string declaration = Samples.Readme.Split("public static class ReadmeUsage")[0].Trim();
        Assert.Contains(declaration, readme);
    }

    private static string RepositoryRoot([System.Runtime.CompilerServices.CallerFilePath] string file = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, "..", ".."));
}
