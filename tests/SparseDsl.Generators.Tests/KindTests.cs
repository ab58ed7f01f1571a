using Microsoft.CodeAnalysis;

namespace SparseDsl.Generators.Tests;

/// <summary>The kinds added after the paper's GPT: their generated code, compile-time checks and SDSL101 suggestions.</summary>
public class KindTests
{
    [Fact]
    public void A_conv_net_generates_code_that_compiles_and_matches_its_snapshot()
    {
        var result = GeneratorHarness.Run(KindSamples.ConvNet);
        Assert.Empty(result.Exceptions);
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.True(result.CompileErrors.Count == 0, string.Join("\n", result.CompileErrors));
        Snapshot.Match(result.Generated["Demo.Vision.PatchNet.g.cs"], "PatchNet");
    }

    [Fact]
    public void Free_tensors_and_rope_gqa_attention_generate_code_that_compiles_and_matches_its_snapshot()
    {
        var result = GeneratorHarness.Run(KindSamples.FreeTensors);
        Assert.Empty(result.Exceptions);
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.True(result.CompileErrors.Count == 0, string.Join("\n", result.CompileErrors));
        Snapshot.Match(result.Generated["Demo.Vision.TokenModel.g.cs"], "TokenModel");
    }

    [Theory]
    [InlineData("[Parameter]", "SDSL012", "set the shape")]
    [InlineData("[Parameter(Shape = \"width,width,width\", FanIn = \"width\")]", "SDSL012", "3 dimensions scale with width")]
    [InlineData("[Parameter(Shape = \"width,2*width\")]", "SDSL012", "set FanIn")]
    [InlineData("[Parameter(Shape = \"width,2*width\", FanIn = \"3*width\")]", "SDSL012", "set FanIn")]
    [InlineData("[Parameter(Shape = \"1,widht\")]", "SDSL004", "unknown name 'widht'")]
    [InlineData("[Parameter(Shape = \"width\", Init = ParameterInit.Tied)]", "SDSL012", "Normal, Zeros or Ones")]
    public void A_bad_free_tensor_gives_its_SparseDsl_error_alone(string attribute, string id, string messagePart)
    {
        var result = GeneratorHarness.Run(Samples.Model(Samples.ValidLayers + $"\n    {attribute} public partial ScaledTensor T {{ get; }}"));
        var diagnostic = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Contains(messagePart, diagnostic.GetMessage());
        GeneratorHarness.AssertErrorShellOnly(result);
    }

    [Theory]
    [InlineData("[Attention(HeadDim = 0)]", "head dimension must be positive")]
    [InlineData("[Attention(HeadDim = 7, Positions = PositionEncoding.Rope)]", "even head dimension")]
    [InlineData("[Attention(Positions = (PositionEncoding)9)]", "not a PositionEncoding member")]
    public void A_bad_attention_value_gives_its_SparseDsl_error_alone(string attribute, string messagePart)
    {
        var result = GeneratorHarness.Run(Samples.Model(Samples.ValidLayers + $"\n    {attribute} public partial ScaledAttention A {{ get; }}"));
        var diagnostic = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal("SDSL012", diagnostic.Id);
        Assert.Contains(messagePart, diagnostic.GetMessage());
        GeneratorHarness.AssertErrorShellOnly(result);
    }

    [Theory]
    [InlineData("[Conv(Kernel = 0)]", "SDSL012", "Kernel = 0")]
    [InlineData("[Conv(Kernel = 3, Dimensions = 3)]", "SDSL012", "only 1-D and 2-D")]
    [InlineData("[Conv(Kernel = 3, Sparsity = 1.5)]", "SDSL005", "Sparsity = 1.5")]
    [InlineData("[Conv(Kernel = 3, In = \"widht\")]", "SDSL004", "unknown name 'widht'")]
    [InlineData("[Conv(Kernel = 3, Groups = 0)]", "SDSL012", "at least one group")]
    public void A_bad_conv_value_gives_its_SparseDsl_error_alone(string attribute, string id, string messagePart)
    {
        var result = GeneratorHarness.Run(Samples.Model($"    {attribute} public partial ScaledConv C {{ get; }}\n    [Readout(Out = \"10\")] public partial ScaledLinear Head {{ get; }}"));
        var diagnostic = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Contains(messagePart, diagnostic.GetMessage());
        GeneratorHarness.AssertErrorShellOnly(result);
    }

    [Fact]
    public void A_sparse_input_like_conv_is_SDSL105()
    {
        var diagnostics = GeneratorHarness.Analyze(Samples.Model(
            "    [Conv(In = \"3\", Kernel = 3, Sparsity = 0.5)] public partial ScaledConv C { get; }\n    [Readout(Out = \"10\")] public partial ScaledLinear Head { get; }"));
        var sdsl105 = Assert.Single(diagnostics, d => d.Id == "SDSL105");
        Assert.Contains("reads the finite dimension 3", sdsl105.GetMessage());
        Assert.Contains("[Conv]", sdsl105.GetMessage());
    }

    [Theory]
    [InlineData("TorchSharp.Modules.Conv2d", "nn.Conv2d(3, 64, 4)", "Conv(In = \"3\", Out = \"64\", Kernel = 4)")]
    [InlineData("TorchSharp.Modules.Conv1d", "nn.Conv1d(256, 256, 5)", "Conv(Dimensions = 1, In = \"width\", Out = \"width\", Kernel = 5)")]
    [InlineData("TorchSharp.Modules.LayerNorm", "nn.LayerNorm(256)", "Norm")]
    public void SDSL101_names_the_kind_that_replaces_the_raw_layer(string type, string initializer, string suggestion)
    {
        var diagnostics = GeneratorHarness.Analyze(Samples.Model(Samples.ValidLayers + $"\n    private {type} raw = {initializer};"));
        var sdsl101 = Assert.Single(diagnostics, d => d.Id == "SDSL101");
        Assert.Contains($"[{suggestion}]", sdsl101.GetMessage());
        Assert.Equal(suggestion, sdsl101.Properties["SparseDslAttribute"]);
    }

    [Fact]
    public void A_member_marked_Unscaled_is_not_SDSL101()
    {
        var diagnostics = GeneratorHarness.Analyze(Samples.Model(Samples.ValidLayers + "\n    [Unscaled] private TorchSharp.Modules.Linear raw = nn.Linear(256, 256);"));
        Assert.DoesNotContain(diagnostics, d => d.Id == "SDSL101");
    }

    [Fact]
    public void The_generator_and_the_runtime_read_the_same_attribute_defaults()
    {
        // Both compile src/SparseDsl/Attributes/AttributeDefaults.cs; this fails if one of them ever gets a copy instead.
        static Dictionary<string, object?> Defaults(System.Reflection.Assembly assembly) => assembly.GetType("SparseDsl.AttributeDefaults", throwOnError: true)!
            .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .ToDictionary(f => f.Name, f => f.GetRawConstantValue());
        var generator = Defaults(typeof(SparseDslGenerator).Assembly);
        var runtime = Defaults(typeof(SparseDsl.ScaledLinear).Assembly);
        Assert.Equal(runtime, generator);
        Assert.Equal(runtime["HeadDim"], new SparseDsl.AttentionAttribute().HeadDim);
        Assert.Equal(runtime["BaseWidth"], new SparseDsl.WidthAttribute().Base);
    }

    [Fact]
    public void SDSL101_for_a_raw_parameter_suggests_a_declaration_that_compiles()
    {
        var diagnostics = GeneratorHarness.Analyze(Samples.Model(Samples.ValidLayers + "\n    public TorchSharp.Modules.Parameter Gain { get; } = new(ones(256));"));
        var sdsl101 = Assert.Single(diagnostics, d => d.Id == "SDSL101");
        string declaration = $"    [{sdsl101.Properties["SparseDslAttribute"]}] public partial {sdsl101.Properties["SparseDslLayerType"]} Gain {{ get; }}";
        var result = GeneratorHarness.Run(Samples.Model(Samples.ValidLayers + "\n" + declaration));
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.True(result.CompileErrors.Count == 0, string.Join("\n", result.CompileErrors));
    }

    [Fact]
    public void An_expert_bank_generates_code_that_compiles_and_matches_its_snapshot()
    {
        var result = GeneratorHarness.Run(KindSamples.Moe);
        Assert.Empty(result.Exceptions);
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.True(result.CompileErrors.Count == 0, string.Join("\n", result.CompileErrors));
        string layer = result.Generated["Demo.Moe.MoeLayer.g.cs"];
        Snapshot.Match(layer, "MoeLayer");
        // The bank is wiring: the declaration carries the attribute as written, the bank builds router and experts from the plan.
        Assert.Contains("new global::SparseDsl.ExpertsDeclaration(\"mlp\", static () => global::Demo.Moe.Expert.Declaration, new global::SparseDsl.ExpertsAttribute { Count = 8, TopK = 2, ZLoss = 0.001d })", layer);
        Assert.Contains("new global::SparseDsl.ExpertBank<global::Demo.Moe.Expert>(Plan, prefix + \"mlp.\", seed, device,", layer);
        Assert.DoesNotContain(GeneratorHarness.Analyze(KindSamples.Moe), d => d.Severity >= DiagnosticSeverity.Warning);
    }

    [Theory]
    [InlineData("[Experts(Count = 1)]", "SDSL012", "Count = 1 on 'Mlp': a mixture needs at least 2 experts")]
    [InlineData("[Experts]", "SDSL012", "Count = 0")]
    [InlineData("[Experts(Count = 4, TopK = 5)]", "SDSL012", "TopK = 5 on 'Mlp': each token goes to between 1 and Count = 4 experts")]
    [InlineData("[Experts(Count = 4, TopK = 0)]", "SDSL012", "TopK = 0")]
    [InlineData("[Experts(Count = 4, BalanceLoss = -0.1)]", "SDSL012", "BalanceLoss = -0.1")]
    [InlineData("[Experts(Count = 4, ZLoss = double.PositiveInfinity)]", "SDSL012", "ZLoss = Infinity")]
    [InlineData("[Experts(Count = 4, In = \"widht\")]", "SDSL004", "unknown name 'widht'")]
    public void A_bad_expert_bank_value_gives_its_SparseDsl_error_alone(string attribute, string id, string messagePart)
    {
        var result = GeneratorHarness.Run(Samples.Model(Samples.ValidLayers + $"\n    {attribute} public partial ExpertBank<Expert> Mlp {{ get; }}") + KindSamples.ExpertBlock);
        var diagnostic = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Contains(messagePart, diagnostic.GetMessage());
        AssertShellOnly(result);
    }

    [Theory]
    [InlineData("ScaledLinear", "'Mlp' has [Experts] and must be of type SparseDsl.ExpertBank<TBlock> of a [Block] class, not 'SparseDsl.ScaledLinear'")]
    [InlineData("ExpertBank<NotABlock>", "not 'SparseDsl.ExpertBank<Demo.NotABlock>'")]
    public void An_expert_bank_of_the_wrong_type_is_SDSL010(string type, string messagePart)
    {
        var result = GeneratorHarness.Run(Samples.Model(Samples.ValidLayers + $"\n    [Experts(Count = 4)] public partial {type} Mlp {{ get; }}")
            + KindSamples.ExpertBlock + "\npublic class NotABlock : TorchSharp.torch.nn.Module<Tensor, Tensor> { public NotABlock() : base(\"n\") { } public override Tensor forward(Tensor x) => x; }");
        var diagnostic = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal("SDSL010", diagnostic.Id);
        Assert.Contains(messagePart, diagnostic.GetMessage());
    }

    [Fact]
    public void A_second_router_beside_the_bank_is_SDSL015()
    {
        var result = GeneratorHarness.Run(Samples.Model(Samples.ValidLayers
            + "\n    [Experts(Count = 8)] public partial ExpertBank<Expert> Mlp { get; }\n    [Linear(Out = \"8\")] public partial ScaledLinear Router { get; }") + KindSamples.ExpertBlock);
        var diagnostic = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal("SDSL015", diagnostic.Id);
        Assert.Equal("'Router' is a second router for expert bank 'Mlp': it maps width to 8 outputs, and [Experts] already declares the bank's router ('mlp.router', output-like under μP and SμPar); remove it", diagnostic.GetMessage());
        AssertShellOnly(result);
    }

    [Fact]
    public void A_router_declared_inside_the_expert_block_is_SDSL015()
    {
        const string expert = """

            [Block]
            public partial class Expert
            {
                [SparseLinear(Sparsity = 0.5)] public partial ScaledLinear Up { get; }
                [Readout(Out = "4")] public partial ScaledLinear Gate { get; }
                public override Tensor forward(Tensor x) => Up.call(x);
            }
            """;
        var result = GeneratorHarness.Run(Samples.Model(Samples.ValidLayers + "\n    [Experts(Count = 4)] public partial ExpertBank<Expert> Mlp { get; }") + expert);
        var diagnostic = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal("SDSL015", diagnostic.Id);
        Assert.StartsWith("'Gate' in expert block 'Expert' is a second router for expert bank 'Mlp'", diagnostic.GetMessage());
    }

    [Fact]
    public void A_raw_linear_router_inside_a_block_with_an_expert_bank_is_SDSL101()
    {
        var diagnostics = GeneratorHarness.Analyze(Samples.Model(Samples.ValidLayers
            + "\n    [Experts(Count = 8)] public partial ExpertBank<Expert> Mlp { get; }\n    private TorchSharp.Modules.Linear router = nn.Linear(256, 8);") + KindSamples.ExpertBlock);
        var sdsl101 = Assert.Single(diagnostics, d => d.Id == "SDSL101");
        Assert.Contains("'router' is a raw TorchSharp Linear inside SparseDsl model 'Bad'", sdsl101.GetMessage());
        Assert.Equal("Linear(In = \"width\", Out = \"8\")", sdsl101.Properties["SparseDslAttribute"]);
    }

    // The class with the error becomes a shell; the valid expert block next to it is generated as usual.
    private static void AssertShellOnly(GeneratorHarness.Result result)
    {
        Assert.Contains("has SparseDsl errors", result.Generated["Demo.Bad.g.cs"]);
        Assert.Empty(result.CompileErrors.Select(e => $"{e.Id}: {e.GetMessage()}"));
    }
}
