using Microsoft.CodeAnalysis;

namespace SparseDsl.Generators.Tests;

/// <summary>Each analyzer fires on a minimal bad sample, says where and what, and stays quiet on good code.</summary>
public class AnalyzerTests
{
    private const string Layers = Samples.ValidLayers;

    public static TheoryData<string, string, string> BadCode => new()
    {
        { "SDSL101", Samples.Model(Layers + "\n    private TorchSharp.Modules.Linear extra = nn.Linear(256, 256);"), "'extra' is a raw TorchSharp Linear" },
        { "SDSL101", Samples.Model(Layers + "\n    public TorchSharp.Modules.Embedding Pos { get; } = nn.Embedding(16, 256);"), "raw TorchSharp Embedding" },
        { "SDSL101", Samples.Model(Layers + "\n    public TorchSharp.Modules.Parameter Gain { get; } = new(ones(256));"), "raw TorchSharp Parameter" },
        { "SDSL101", Samples.Model(Layers + "\n    private void Build() { var conv = nn.Conv1d(3, 8, 3); }"), "'conv' is a raw TorchSharp Conv1d" },
        { "SDSL103", Samples.Model(Layers + "\n    private double Scale(int headDim) => 1.0 / Math.Sqrt(headDim);"), "Square root of 'headDim'" },
        { "SDSL104", Samples.Model("""
                [Embedding(Vocab = 256)] public partial ScaledEmbedding Embed { get; }
                [SparseLinear(Sparsity = 0.96875)] public partial ScaledLinear Hidden { get; }
                [Readout(Out = "256")] public partial ScaledLinear Head { get; }
            """), "keeps 8 non-zero weights per output neuron" },
        { "SDSL105", Samples.Model("""
                [SparseLinear(Sparsity = 0.5, In = "784")] public partial ScaledLinear Input { get; }
                [Readout(Out = "10")] public partial ScaledLinear Head { get; }
            """), "reads the finite dimension 784" },
        { "SDSL106", Samples.Model("""
                [SparseLinear(Sparsity = 0.5)] public partial ScaledLinear Hidden { get; }
                [Readout(Out = "10")] public partial ScaledLinear Head { get; }
            """), "has no input-like layer" },
        { "SDSL106", Samples.Model("""
                [Embedding(Vocab = 256)] public partial ScaledEmbedding Embed { get; }
                [SparseLinear(Sparsity = 0.5)] public partial ScaledLinear Hidden { get; }
            """), "has no readout" },
    };

    [Theory]
    [MemberData(nameof(BadCode))]
    public void Analyzer_fires_on_a_minimal_bad_sample(string id, string source, string messagePart)
    {
        var diagnostics = GeneratorHarness.Analyze(source);
        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Contains(messagePart, diagnostic.GetMessage());
        Assert.True(diagnostic.Location.IsInSource);
        Assert.EndsWith(id + ".md", diagnostic.Descriptor.HelpLinkUri);
    }

    [Fact]
    public void Few_weights_per_neuron_is_reported_for_a_layer_inside_a_repeated_block_at_the_model_base_width()
    {
        // Base width 256 × density 1/32 = 8 per neuron in the block's Up; its Down (In = 4*width) keeps 32 and is fine.
        string source = Samples.Model("""
                [Embedding(Vocab = 256)] public partial ScaledEmbedding Embed { get; }
                [Repeat(Depth = 2)] public partial TorchSharp.Modules.ModuleList<Mlp> Layers { get; }
                [Readout(Out = "256")] public partial ScaledLinear Head { get; }
            """) + """

            [Block]
            public partial class Mlp
            {
                [SparseLinear(Sparsity = 0.96875, Out = "4*width")] public partial ScaledLinear Up { get; }
                [SparseLinear(Sparsity = 0.96875, In = "4*width")] public partial ScaledLinear Down { get; }
                public override Tensor forward(Tensor x) => Down.call(Up.call(x));
            }
            """;
        var diagnostic = Assert.Single(GeneratorHarness.Analyze(source), d => d.Id == "SDSL104");
        Assert.Contains("'Bad.Layers.Up' keeps 8 non-zero weights per output neuron at the base width (256 inputs", diagnostic.GetMessage());
        // Reported where the layer is declared: on the block's Up.
        var line = diagnostic.Location.SourceTree!.GetText().Lines.GetLineFromPosition(diagnostic.Location.SourceSpan.Start).ToString();
        Assert.Contains("Sparsity = 0.96875, Out = \"4*width\"", line);
    }

    [Fact]
    public void Few_weights_per_neuron_is_reported_for_an_expert_layer_inside_a_bank_inside_a_block()
    {
        // KindSamples.Moe: base width 64, experts at sparsity 0.875, so Up keeps 64/8 = 8 per neuron and Down 128/8 = 16.
        var diagnostics = GeneratorHarness.Analyze(KindSamples.Moe).Where(d => d.Id == "SDSL104").ToList();
        var diagnostic = Assert.Single(diagnostics);
        Assert.Contains("'MoeLm.Layers.Mlp.Up' keeps 8 non-zero weights per output neuron at the base width (64 inputs × density 0.125)", diagnostic.GetMessage());
    }

    [Fact]
    public void Chained_layers_with_inconsistent_dimensions_are_an_error()
    {
        string source = Samples.Model("""
                [Embedding(Vocab = 256)] public partial ScaledEmbedding Embed { get; }
                [SparseLinear(Sparsity = 0.5, Out = "4*width")] public partial ScaledLinear Up { get; }
                [SparseLinear(Sparsity = 0.5)] public partial ScaledLinear Hidden { get; }
                [Readout(Out = "256")] public partial ScaledLinear Head { get; }
                public Tensor Good(Tensor ids) => Head.call(nn.functional.relu(Hidden.call(Embed.call(ids))));
                public Tensor Bad(Tensor ids) => Hidden.call(nn.functional.gelu(Up.call(Embed.call(ids))));
            """);
        var diagnostic = Assert.Single(GeneratorHarness.Analyze(source));
        Assert.Equal("SDSL107", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Contains("'Hidden' reads width but is fed the output of 'Up', which writes 4*width", diagnostic.GetMessage());
    }

    [Fact]
    public void Raw_optimizer_over_model_parameters_is_flagged_and_the_generated_one_is_not()
    {
        string source = Samples.Model(Layers) + """

            public static class Training
            {
                public static void Bad(Demo.Bad model) { var opt = optim.AdamW(model.parameters(), 0.01); }
                public static void AlsoBad(Demo.Bad model) { var opt = optim.SGD(model.parameters(), 0.1); }
                public static void Good(Demo.Bad model) { var opt = model.CreateAdamW(); }
                public static void Unrelated(TorchSharp.Modules.Linear plain) { var opt = optim.Adam(plain.parameters(), 0.01); }
            }
            """;
        var diagnostics = GeneratorHarness.Analyze(source);
        Assert.Equal(2, diagnostics.Count);
        Assert.All(diagnostics, d => Assert.Equal("SDSL102", d.Id));
        Assert.Contains("torch.optim.AdamW over 'model.parameters()'", diagnostics[0].GetMessage());
        Assert.Contains("model.CreateAdamW", diagnostics[0].GetMessage());
    }

    // A repeated pre-norm layer with a residual MLP sub-block, and a block used once; FORWARD is the layer's forward.
    private static string ResidualSample(string forward, string subBlockForward = "Down.call(Up.call(x))") => $$"""
        using SparseDsl;
        using TorchSharp.Modules;
        using static TorchSharp.torch;
        namespace Demo.Depth;

        [Block]
        public sealed partial class Mlp
        {
            [SparseLinear(Sparsity = 0.5, Out = "4*width")] public partial ScaledLinear Up { get; }
            [SparseLinear(Sparsity = 0.5, In = "4*width")] public partial ScaledLinear Down { get; }
            private Tensor Apply(Tensor x) => Up.call(x) + Up.call(x + x);
            public override Tensor forward(Tensor x) => {{subBlockForward}};
        }

        [Block]
        public sealed partial class Layer
        {
            [Norm] public partial ScaledNorm Norm { get; }
            [Block] public partial Mlp Mlp { get; }
            public override Tensor forward(Tensor x) => {{forward}};
        }

        [Block]
        public sealed partial class Once
        {
            [SparseLinear(Sparsity = 0.5)] public partial ScaledLinear Hidden { get; }
            public override Tensor forward(Tensor x) => x + Hidden.call(x);
        }

        [Width(Base = 64)]
        public sealed partial class DeepLm
        {
            [Embedding(Vocab = 100)] public partial ScaledEmbedding Embed { get; }
            [Repeat(Depth = 4, BaseDepth = 2)] public partial ModuleList<Layer> Layers { get; }
            [Block] public partial Once Tail { get; }
            [Readout(Out = "100")] public partial ScaledLinear Head { get; }

            public override Tensor forward(Tensor ids)
            {
                var h = Embed.call(ids);
                foreach (var layer in Layers) h = h + layer.call(h);
                return Head.call(Tail.call(h));
            }
        }
        """;

    [Theory]
    [InlineData("x + Mlp.call(Norm.call(x))", "'Mlp' is added to the residual stream 'x' with a plain add in 'Layer'")]
    [InlineData("Mlp.call(Norm.call(x)) + x", "'Mlp' is added to the residual stream 'x'")]
    [InlineData("x.add(Mlp.call(Norm.call(x)))", "'Mlp' is added to the residual stream 'x'")]
    public void A_repeated_block_that_adds_a_branch_without_the_helper_is_flagged(string forward, string messagePart)
    {
        var diagnostic = Assert.Single(GeneratorHarness.Analyze(ResidualSample(forward)));
        Assert.Equal("SDSL108", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
        Assert.Contains(messagePart, diagnostic.GetMessage());
        Assert.Contains("Residual.Add(this, x, …)", diagnostic.GetMessage());
        Assert.Equal(forward, diagnostic.Location.SourceTree!.GetText().ToString(diagnostic.Location.SourceSpan));
        Assert.EndsWith("SDSL108.md", diagnostic.Descriptor.HelpLinkUri);
    }

    [Fact]
    public void A_block_nested_in_a_repeated_block_is_in_the_branch_too()
    {
        var diagnostic = Assert.Single(GeneratorHarness.Analyze(ResidualSample("Residual.Add(this, x, Mlp.call(Norm.call(x)))", "x + Down.call(Up.call(x))")));
        Assert.Equal("SDSL108", diagnostic.Id);
        Assert.Contains("'Down' is added to the residual stream 'x' with a plain add in 'Mlp'", diagnostic.GetMessage());
    }

    [Fact]
    public void The_helper_a_block_used_once_and_sums_of_two_layers_raise_nothing()
    {
        // Once adds a branch with '+', but is not repeated; Mlp.Apply sums two layer outputs, neither of them the stream;
        // the model adds whole layers to its stream, which the helper (inside the block) does not cover.
        Assert.Empty(GeneratorHarness.Analyze(ResidualSample("Residual.Add(this, x, Mlp.call(Norm.call(x)))")));
    }

    [Fact]
    public void Severity_is_configurable_per_id()
    {
        string source = Samples.Model(Layers + "\n    private TorchSharp.Modules.Linear extra = nn.Linear(256, 256);");
        var asError = GeneratorHarness.Analyze(source, new Dictionary<string, ReportDiagnostic> { ["SDSL101"] = ReportDiagnostic.Error });
        Assert.Equal(DiagnosticSeverity.Error, Assert.Single(asError).Severity);
        var suppressed = GeneratorHarness.Analyze(source, new Dictionary<string, ReportDiagnostic> { ["SDSL101"] = ReportDiagnostic.Suppress });
        Assert.Empty(suppressed);
    }

    [Fact]
    public void Good_models_raise_nothing()
    {
        Assert.Empty(GeneratorHarness.Analyze(Samples.Readme));
        Assert.Empty(GeneratorHarness.Analyze(Samples.Model(Layers + "\n    private double Scale(int width) => 1.0 / Math.Sqrt(width);")));
    }

    [Fact]
    public void The_examples_raise_nothing()
    {
        string root = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", ".."));
        // The GPT LM's model and blocks compile together (the model repeats its blocks).
        string[] gpt = Directory.GetFiles(Path.Combine(root, "src", "SparseDsl.Experiments", "Gpt"), "*.cs");
        Assert.Contains(gpt, f => f.EndsWith("TransformerBlock.cs", StringComparison.Ordinal));
        var diagnostics = GeneratorHarness.Analyze(gpt.Select(File.ReadAllText).ToArray());
        Assert.Empty(diagnostics);
        string probe = Path.Combine(root, "tests", "SparseDsl.Tests", "TestModels.cs");
        Assert.Empty(GeneratorHarness.Analyze(File.ReadAllText(probe)));
    }
}
