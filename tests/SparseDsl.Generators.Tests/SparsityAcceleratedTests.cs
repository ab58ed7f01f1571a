using System.Runtime.Loader;
using Microsoft.CodeAnalysis;

namespace SparseDsl.Generators.Tests;

/// <summary>
/// [SparsityAccelerated] blocks: the generator wires the MLP's expanding and contracting projections into the runtime
/// NeuronOmission, or with Heads = true an attention's query/key/value and output projections and the attention itself
/// into the runtime HeadOmission, and reports SDSL013 (with no code for the block) when the block has neither shape.
/// </summary>
public class SparsityAcceleratedTests
{
    /// <summary>A SwiGLU MLP block with SAT, repeated in a small LM; an unrelated method for the caching tests.</summary>
    internal const string SwiGluLm = """
        using SparseDsl;
        using TorchSharp.Modules;
        using static TorchSharp.torch;

        namespace Demo.Sat;

        [Block]
        [SparsityAccelerated(OmissionRate = 0.6, Metric = NeuronImportance.ActivationMagnitude)]
        public sealed partial class SwiGlu
        {
            [SparseLinear(Out = "4*width")] public partial ScaledLinear Gate { get; }
            [SparseLinear(Out = "4*width")] public partial ScaledLinear Up { get; }
            [SparseLinear(In = "4*width")] public partial ScaledLinear Down { get; }

            public override Tensor forward(Tensor x) => Down.call(nn.functional.silu(Gate.call(x)) * Up.call(x));

            private int Unrelated() { return 1; }
        }

        [Width(Base = 64)]
        public sealed partial class SatLm
        {
            [Embedding(Vocab = 100)] public partial ScaledEmbedding Embed { get; }
            [Repeat(Depth = 2)] public partial ModuleList<SwiGlu> Mlps { get; }
            [Readout(Out = "100")] public partial ScaledLinear Head { get; }

            public override Tensor forward(Tensor ids)
            {
                var h = Embed.call(ids);
                foreach (var mlp in Mlps) h = h + mlp.call(h);
                return Head.call(h);
            }
        }
        """;

    private const string BlockFile = "Demo.Sat.SwiGlu.g.cs";

    /// <summary>A Llama-style layer: grouped-query attention (4 query heads per key/value head) with SAT over heads, and a SAT MLP.</summary>
    internal const string HeadsLm = """
        using SparseDsl;
        using TorchSharp.Modules;
        using static TorchSharp.torch;

        namespace Demo.Heads;

        [Block]
        [SparsityAccelerated(Heads = true, OmissionRate = 0.25, Metric = NeuronImportance.WeightMagnitude)]
        public sealed partial class Gqa
        {
            [SparseLinear(Sparsity = 0.5)] public partial ScaledLinear Q { get; }
            [SparseLinear(Out = "width/4", Sparsity = 0.5)] public partial ScaledLinear K { get; }
            [SparseLinear(Out = "width/4", Sparsity = 0.5)] public partial ScaledLinear V { get; }
            [Attention(HeadDim = 16, Positions = PositionEncoding.Rope, KeyValueDim = "width/4")] public partial ScaledAttention Mix { get; }
            [SparseLinear(Sparsity = 0.5)] public partial ScaledLinear O { get; }

            public override Tensor forward(Tensor x) => O.call(Mix.call(Q.call(x), K.call(x), V.call(x)));
        }

        [Block]
        [SparsityAccelerated]
        public sealed partial class Mlp
        {
            [SparseLinear(Out = "4*width")] public partial ScaledLinear Up { get; }
            [SparseLinear(In = "4*width")] public partial ScaledLinear Down { get; }

            public override Tensor forward(Tensor x) => Down.call(nn.functional.relu(Up.call(x)));
        }

        [Block]
        public sealed partial class Layer
        {
            [Block] public partial Gqa Attention { get; }
            [Block] public partial Mlp Feed { get; }

            public override Tensor forward(Tensor x) { var h = x + Attention.call(x); return h + Feed.call(h); }
        }

        [Width(Base = 128)]
        public sealed partial class HeadsLm
        {
            [Embedding(Vocab = 100)] public partial ScaledEmbedding Embed { get; }
            [Repeat(Depth = 2)] public partial ModuleList<Layer> Layers { get; }
            [Readout(Out = "100")] public partial ScaledLinear Head { get; }

            public override Tensor forward(Tensor ids)
            {
                var h = Embed.call(ids);
                foreach (var layer in Layers) h = layer.call(h);
                return Head.call(h);
            }
        }
        """;

    [Fact]
    public void A_grouped_query_attention_block_wires_q_k_v_as_inputs_o_as_output_and_the_attention_into_a_HeadOmission()
    {
        var result = GeneratorHarness.Run(HeadsLm);
        Assert.Empty(result.Exceptions);
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.True(result.CompileErrors.Count == 0, string.Join("\n", result.CompileErrors));

        string block = result.Generated["Demo.Heads.Gqa.g.cs"];
        Assert.Contains("global::SparseDsl.IScaledBlock, global::SparseDsl.ISparsityAcceleratedBlock", block);
        Assert.Contains("public global::SparseDsl.HeadOmission Omission { get; }", block);
        Assert.Contains("global::SparseDsl.UnitOmission global::SparseDsl.ISparsityAcceleratedBlock.Omission => Omission;", block);
        Assert.Contains("Omission = new global::SparseDsl.HeadOmission(prefix, global::SparseDsl.SparsityAcceleration.From(new global::SparseDsl.SparsityAcceleratedAttribute { Heads = true, OmissionRate = 0.25d, Metric = global::SparseDsl.NeuronImportance.WeightMagnitude }), this.@mix,", block);
        Assert.Contains("new global::SparseDsl.ScaledLinear[] { this.@q, this.@k, this.@v },", block);
        Assert.Contains("new global::SparseDsl.ScaledLinear[] { this.@o }, seed);", block);
        Snapshot.Match(block, "SatHeadsGqa");
        Snapshot.Match(result.Generated["Demo.Heads.Mlp.g.cs"], "SatMlp");
        Assert.DoesNotContain("ISparsityAcceleratedBlock", result.Generated["Demo.Heads.Layer.g.cs"]);
    }

    [Fact]
    public void A_multi_head_attention_block_tells_inputs_from_output_by_declaration_order()
    {
        // Without grouped-query attention all four projections are width → width: the attention's position decides.
        string source = Block("[SparsityAccelerated(Heads = true)]", """
                [Linear] public partial ScaledLinear Query { get; }
                [Linear] public partial ScaledLinear Key { get; }
                [Linear] public partial ScaledLinear Value { get; }
                [Attention(HeadDim = 16)] public partial ScaledAttention Attention { get; }
                [Linear] public partial ScaledLinear Output { get; }
            """, name: "Mha");
        var result = GeneratorHarness.Run(source);
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.True(result.CompileErrors.Count == 0, string.Join("\n", result.CompileErrors));
        string block = result.Generated["Demo.Mha.g.cs"];
        Assert.Contains("{ Heads = true }), this.@attention,", block);
        Assert.Contains("new global::SparseDsl.ScaledLinear[] { this.@query, this.@key, this.@value },", block);
        Assert.Contains("new global::SparseDsl.ScaledLinear[] { this.@output }, seed);", block);
    }

    [Fact]
    public void A_swiglu_block_compiles_and_wires_gate_and_up_as_expanding_and_down_as_contracting()
    {
        var result = GeneratorHarness.Run(SwiGluLm);
        Assert.Empty(result.Exceptions);
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.True(result.CompileErrors.Count == 0, string.Join("\n", result.CompileErrors));
        Assert.Contains("Demo.Sat.SatLm.g.cs", result.Generated.Keys);

        string block = result.Generated[BlockFile];
        Assert.Contains("global::SparseDsl.IScaledBlock, global::SparseDsl.ISparsityAcceleratedBlock", block);
        Assert.Contains("public global::SparseDsl.NeuronOmission Omission { get; }", block);
        Assert.Contains("Omission = new global::SparseDsl.NeuronOmission(prefix, global::SparseDsl.SparsityAcceleration.From(new global::SparseDsl.SparsityAcceleratedAttribute { ", block);
        Assert.Contains("OmissionRate = 0.6", block);
        Assert.Contains("Metric = global::SparseDsl.NeuronImportance.ActivationMagnitude", block);
        Assert.Contains("new global::SparseDsl.ScaledLinear[] { this.@gate, this.@up },", block);
        Assert.Contains("new global::SparseDsl.ScaledLinear[] { this.@down }, seed);", block);
        // Undeclared values keep the runtime attribute's defaults: the generator does not restate them.
        Assert.DoesNotContain("HoldFraction", block);
        Assert.DoesNotContain("Rungs", block);
        // The omission is built from the constructed projections, before the module registers its fields.
        int omission = block.IndexOf("Omission = new", StringComparison.Ordinal);
        Assert.InRange(block.IndexOf("@down = new", StringComparison.Ordinal), 0, omission);
        Assert.True(omission < block.IndexOf("RegisterComponents();", StringComparison.Ordinal));

        // The model that repeats the block is unchanged by SAT: it is not an ISparsityAcceleratedBlock itself.
        Assert.DoesNotContain("ISparsityAcceleratedBlock", result.Generated["Demo.Sat.SatLm.g.cs"]);
    }

    [Fact]
    public void The_compiled_block_implements_the_runtime_interface()
    {
        // Generated code is compiled and loaded, not run: building a block needs TorchSharp's native backend.
        var compilation = GeneratorHarness.Compilation(SwiGluLm, HeadsLm);
        GeneratorHarness.Driver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        using var image = new MemoryStream();
        var emitted = output.Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));

        var context = new AssemblyLoadContext("SatProbe", isCollectible: true);
        try
        {
            image.Position = 0;
            var assembly = context.LoadFromStream(image);
            var type = assembly.GetType("Demo.Sat.SwiGlu", throwOnError: true)!;
            Assert.True(typeof(ISparsityAcceleratedBlock).IsAssignableFrom(type));
            Assert.True(typeof(IScaledBlock).IsAssignableFrom(type));
            Assert.Equal(typeof(NeuronOmission), type.GetProperty(nameof(ISparsityAcceleratedBlock.Omission))!.PropertyType);
            var heads = assembly.GetType("Demo.Heads.Gqa", throwOnError: true)!;
            Assert.True(typeof(ISparsityAcceleratedBlock).IsAssignableFrom(heads));
            Assert.Equal(typeof(HeadOmission), heads.GetProperty(nameof(ISparsityAcceleratedBlock.Omission))!.PropertyType);
            Assert.NotNull(type.GetConstructor([typeof(ModelPlan), typeof(string), typeof(long), typeof(TorchSharp.torch.Device)]));
            Assert.False(typeof(ISparsityAcceleratedBlock).IsAssignableFrom(assembly.GetType("Demo.Sat.SatLm", throwOnError: true)));
        }
        finally
        {
            context.Unload();
        }
    }

    [Fact]
    public void An_explicit_hidden_dimension_picks_the_sides_whatever_the_declaration_order()
    {
        const string source = """
            using SparseDsl;
            using static TorchSharp.torch;

            namespace Demo.Sat;

            [Block]
            [SparsityAccelerated(Hidden = "4*width", Selection = NeuronSelection.TopK, Rungs = 3)]
            public sealed partial class DownFirst
            {
                [Linear(In = "4*width")] public partial ScaledLinear Down { get; }
                [Linear(Out = "4*width")] public partial ScaledLinear Up { get; }

                public override Tensor forward(Tensor x) => Down.call(nn.functional.relu(Up.call(x)));
            }
            """;
        var result = GeneratorHarness.Run(source);
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.True(result.CompileErrors.Count == 0, string.Join("\n", result.CompileErrors));
        string block = result.Generated["Demo.Sat.DownFirst.g.cs"];
        Assert.Contains("new global::SparseDsl.ScaledLinear[] { this.@up },", block);
        Assert.Contains("new global::SparseDsl.ScaledLinear[] { this.@down }, seed);", block);
        Assert.Contains("Selection = global::SparseDsl.NeuronSelection.TopK", block);
        Assert.Contains("Rungs = 3", block);
        // Hidden is a compile-time input only; the runtime attribute's value is not needed.
        Assert.DoesNotContain("Hidden", block);
    }

    [Fact]
    public void Several_contracting_projections_are_all_wired()
    {
        string source = Block("[SparsityAccelerated]", """
                [Linear(Out = "2*width")] public partial ScaledLinear Up { get; }
                [Linear(In = "2*width")] public partial ScaledLinear Down { get; }
                [Linear(In = "2*width", Out = "10")] public partial ScaledLinear Probe { get; }
            """, name: "Mlp");
        var result = GeneratorHarness.Run(source);
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.True(result.CompileErrors.Count == 0, string.Join("\n", result.CompileErrors));
        string block = result.Generated["Demo.Mlp.g.cs"];
        Assert.Matches(@"new global::SparseDsl\.SparsityAcceleratedAttribute \{\s*\}", block); // nothing declared: all defaults
        Assert.Contains("new global::SparseDsl.ScaledLinear[] { this.@up },", block);
        Assert.Contains("new global::SparseDsl.ScaledLinear[] { this.@down, this.@probe }, seed);", block);
    }

    private const string UpDown = """
            [Linear(Out = "4*width")] public partial ScaledLinear Up { get; }
            [Linear(In = "4*width")] public partial ScaledLinear Down { get; }
        """;

    public static TheoryData<string, string> BadBlocks => new()
    {
        // On a [Width] model instead of a [Block].
        { Samples.Model(UpDown, "[Width(Base = 256)]\n[SparsityAccelerated]\npublic partial class Bad"), "not on a [Width] model" },
        // Values out of range.
        { Block("[SparsityAccelerated(OmissionRate = 1.0)]", UpDown), "OmissionRate = 1 must be in [0, 1)" },
        { Block("[SparsityAccelerated(OmissionRate = -0.25)]", UpDown), "OmissionRate = -0.25 must be in [0, 1)" },
        { Block("[SparsityAccelerated(OmissionRate = double.NaN)]", UpDown), "OmissionRate = NaN must be in [0, 1)" },
        { Block("[SparsityAccelerated(Rungs = 0)]", UpDown), "Rungs = 0 must be at least 1" },
        { Block("[SparsityAccelerated(HoldFraction = 0.0)]", UpDown), "HoldFraction = 0 must be in (0, 1]" },
        { Block("[SparsityAccelerated(DenseFraction = 1.0)]", UpDown), "DenseFraction = 1 must be in [0, 1)" },
        { Block("[SparsityAccelerated(HoldFraction = 0.9, DenseFraction = 0.2)]", UpDown), "add up to more than the whole run" },
        { Block("[SparsityAccelerated(HoldFraction = 0.9)]", UpDown), "add up to more than the whole run" }, // the default DenseFraction, 0.2
        { Block("[SparsityAccelerated(ReestimateEvery = 0)]", UpDown), "ReestimateEvery = 0 must be at least 1" },
        { Block("[SparsityAccelerated(Metric = (NeuronImportance)42)]", UpDown), "Metric = 42 is not a NeuronImportance member" },
        // No MLP shape.
        { Block("[SparsityAccelerated]", "    [Norm] public partial ScaledNorm N { get; }"), "declares no [Linear] or [SparseLinear] projection" },
        { Block("[SparsityAccelerated(Hidden = \"2*width\")]", UpDown), "no projection writes the hidden dimension 2*width" },
        { Block("[SparsityAccelerated(Hidden = \"4*width\")]", """
                [Linear(Out = "4*width")] public partial ScaledLinear Up { get; }
                [Linear] public partial ScaledLinear Mix { get; }
            """), "no projection reads the hidden dimension 4*width" },
        { Block("[SparsityAccelerated]", """
                [Linear(Out = "4*width")] public partial ScaledLinear Up { get; }
                [Linear] public partial ScaledLinear Mix { get; }
            """), "no dimension other than width is written by one projection and read by another" },
        { Block("[SparsityAccelerated]", """
                [Linear(Out = "2*width")] public partial ScaledLinear Up { get; }
                [Linear(In = "2*width")] public partial ScaledLinear Down { get; }
                [Linear(Out = "4*width")] public partial ScaledLinear Up2 { get; }
                [Linear(In = "4*width")] public partial ScaledLinear Down2 { get; }
            """), "it could be any of 2*width, 4*width; set Hidden" },
        { Block("[SparsityAccelerated(Hidden = \"width\")]", """
                [Linear] public partial ScaledLinear Mix { get; }
                [Linear(Out = "4*width")] public partial ScaledLinear Up { get; }
                [Linear(In = "4*width")] public partial ScaledLinear Down { get; }
            """), "'Mix' both reads and writes the hidden dimension width" },
        { Block("[SparsityAccelerated]", """
                [Linear(Out = "4*width")] public partial ScaledLinear Gate { get; }
                [Linear(In = "2*width", Out = "4*width")] public partial ScaledLinear Up { get; }
                [Linear(In = "4*width")] public partial ScaledLinear Down { get; }
            """), "read different inputs ('Gate' width, 'Up' 2*width)" },
        { Block("[SparsityAccelerated]", """
                [Linear(Out = "4*width")] public partial ScaledLinear Up { get; }
                [Norm(Dim = "4*width")] public partial ScaledNorm HiddenNorm { get; }
                [Linear(In = "4*width")] public partial ScaledLinear Down { get; }
            """), "'HiddenNorm' (Norm) works on the hidden dimension 4*width" },
        { Block("[SparsityAccelerated]", """
                [Linear(Out = "4*width")] public partial ScaledLinear Up { get; }
                [Attention(Dim = "4*width", HeadDim = 16)] public partial ScaledAttention Mix { get; }
                [Linear(In = "4*width")] public partial ScaledLinear Down { get; }
            """), "'Mix' (Attention) works on the hidden dimension 4*width" },
        // Hidden that does not parse.
        { Block("[SparsityAccelerated(Hidden = \"4*widht\")]", UpDown), "Hidden = \"4*widht\" does not parse: unknown name 'widht'" },
        // An attention block without Heads = true: the MLP search fails and says how to omit heads.
        { Block("[SparsityAccelerated]", Mha), "set Hidden to the MLP's hidden dimension; to omit the heads of this block's attention, write [SparsityAccelerated(Heads = true)]" },
        // Heads = true without an attention shape.
        { Block("[SparsityAccelerated(Heads = true)]", UpDown), "Heads = true omits attention heads, but the block has no [Attention] layer" },
        { Block("[SparsityAccelerated(Heads = true, Hidden = \"4*width\")]", Mha), "with Heads = true the units are the attention's heads; remove Hidden" },
        { Block("[SparsityAccelerated(Heads = true)]", Mha + """
                [Attention(HeadDim = 16)] public partial ScaledAttention Second { get; }
            """), "the block has 2 ('Attention', 'Second'); give each its own block" },
        { Block("[SparsityAccelerated(Heads = true)]", """
                [Attention(HeadDim = 16)] public partial ScaledAttention Attention { get; }
                [Linear] public partial ScaledLinear Query { get; }
                [Linear] public partial ScaledLinear Output { get; }
            """), "no projection declared before 'Attention' writes its query dimension width" },
        { Block("[SparsityAccelerated(Heads = true)]", """
                [Linear] public partial ScaledLinear Query { get; }
                [Linear] public partial ScaledLinear Key { get; }
                [Linear] public partial ScaledLinear Value { get; }
                [Linear] public partial ScaledLinear Output { get; }
                [Attention(HeadDim = 16)] public partial ScaledAttention Attention { get; }
            """), "no projection declared after 'Attention' reads its dimension width, so omitted heads could not be dropped" },
        { Block("[SparsityAccelerated(Heads = true)]", """
                [Linear] public partial ScaledLinear Query { get; }
                [Attention(HeadDim = 16, KeyValueDim = "width/4")] public partial ScaledAttention Attention { get; }
                [Linear] public partial ScaledLinear Output { get; }
            """), "no projection declared before 'Attention' writes its key/value dimension width/4" },
        { Block("[SparsityAccelerated(Heads = true)]", """
                [Linear] public partial ScaledLinear Query { get; }
                [Linear(In = "2*width")] public partial ScaledLinear Key { get; }
                [Linear(In = "2*width")] public partial ScaledLinear Value { get; }
                [Attention(HeadDim = 16)] public partial ScaledAttention Attention { get; }
                [Linear] public partial ScaledLinear Output { get; }
            """), "the projections that feed 'Attention' read different inputs ('Query' width, 'Key' 2*width, 'Value' 2*width)" },
    };

    private const string Mha = """
            [Linear] public partial ScaledLinear Query { get; }
            [Linear] public partial ScaledLinear Key { get; }
            [Linear] public partial ScaledLinear Value { get; }
            [Attention(HeadDim = 16)] public partial ScaledAttention Attention { get; }
            [Linear] public partial ScaledLinear Output { get; }
        """;

    [Theory]
    [MemberData(nameof(BadBlocks))]
    public void A_block_without_an_mlp_or_attention_shape_gets_SDSL013_and_no_code(string source, string messagePart)
    {
        var result = GeneratorHarness.Run(source);
        Assert.Empty(result.Exceptions);
        var diagnostic = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal("SDSL013", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.StartsWith("[SparsityAccelerated] on 'Bad': ", diagnostic.GetMessage());
        Assert.Contains(messagePart, diagnostic.GetMessage());
        Assert.EndsWith("SDSL013.md", diagnostic.Descriptor.HelpLinkUri);
        // It points at the attribute.
        var span = diagnostic.Location.SourceSpan;
        Assert.StartsWith("SparsityAccelerated", source.Substring(span.Start, span.Length));
        GeneratorHarness.AssertErrorShellOnly(result);
    }

    [Fact]
    public void A_bad_sat_block_generates_only_a_shell_while_its_model_still_generates()
    {
        string source = SwiGluLm.Replace("OmissionRate = 0.6", "OmissionRate = 1.5");
        var result = GeneratorHarness.Run(source);
        var diagnostic = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal("SDSL013", diagnostic.Id);
        Assert.Contains("[SparsityAccelerated] on 'SwiGlu': OmissionRate = 1.5 must be in [0, 1)", diagnostic.GetMessage());
        Assert.Contains("has SparseDsl errors", result.Generated[BlockFile]);
        Assert.Contains("Demo.Sat.SatLm.g.cs", result.Generated.Keys);
        // The model compiles against the shell: the SDSL013 error is the only one.
        Assert.Empty(result.CompileErrors);
    }

    [Fact]
    public void An_argument_the_compiler_rejects_is_its_only_error()
    {
        var result = GeneratorHarness.Run(Block("[SparsityAccelerated(OmissionRate = \"half\", Rungs = 3)]", UpDown));
        Assert.Empty(result.GeneratorDiagnostics);
        var error = Assert.Single(result.CompileErrors);
        Assert.Equal("CS0029", error.Id); // in the user's attribute, not in the generated file
        Assert.Equal("Source0.cs", error.Location.SourceTree?.FilePath);
        Assert.Contains("SparsityAcceleratedAttribute { Rungs = 3 }", result.Generated["Demo.Bad.g.cs"]);
    }

    public static TheoryData<string> Boundaries => new()
    {
        "OmissionRate = 0.0",                     // dense throughout
        "OmissionRate = 0.99",
        "Rungs = 1",
        "HoldFraction = 1.0, DenseFraction = 0.0",
        "HoldFraction = 0.8",                     // + the default DenseFraction, 0.2: exactly the whole run
        "ReestimateEvery = 1000",
        "Metric = NeuronImportance.Uniform, Selection = NeuronSelection.TopK",
    };

    [Theory]
    [MemberData(nameof(Boundaries))]
    public void Values_at_the_edge_of_their_ranges_are_accepted(string arguments)
    {
        var result = GeneratorHarness.Run(Block($"[SparsityAccelerated({arguments})]", UpDown));
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.True(result.CompileErrors.Count == 0, string.Join("\n", result.CompileErrors));
        Assert.Contains("Demo.Bad.g.cs", result.Generated.Keys);
    }

    /// <summary>
    /// The compile-time range checks agree with the runtime's: every value SDSL013 rejects would make the generated
    /// constructor throw (SparsityAcceleration.Validate), and every value it accepts would not. This also pins the
    /// generator's fallbacks for undeclared values to the runtime attribute's defaults.
    /// </summary>
    [Theory]
    [MemberData(nameof(RangeCases))]
    public void The_compile_time_range_check_agrees_with_the_runtime(string arguments, Action<SparsityAcceleratedAttribute> set)
    {
        var attribute = new SparsityAcceleratedAttribute();
        set(attribute);
        bool runtimeAccepts;
        try
        {
            SparsityAcceleration.From(attribute).Validate();
            runtimeAccepts = true;
        }
        catch (ArgumentException)
        {
            runtimeAccepts = false;
        }
        var diagnostics = GeneratorHarness.Run(Block($"[SparsityAccelerated({arguments})]", UpDown)).GeneratorDiagnostics;
        Assert.Equal(runtimeAccepts, diagnostics.Count == 0);
        Assert.All(diagnostics, d => Assert.Equal("SDSL013", d.Id));
    }

    public static TheoryData<string, Action<SparsityAcceleratedAttribute>> RangeCases => new()
    {
        { "", _ => { } },
        { "OmissionRate = 0.0", a => a.OmissionRate = 0.0 },
        { "OmissionRate = 1.0", a => a.OmissionRate = 1.0 },
        { "OmissionRate = -0.01", a => a.OmissionRate = -0.01 },
        { "OmissionRate = double.NaN", a => a.OmissionRate = double.NaN },
        { "Rungs = 0", a => a.Rungs = 0 },
        { "Rungs = 5", a => a.Rungs = 5 },
        { "HoldFraction = 0.0", a => a.HoldFraction = 0.0 },
        { "HoldFraction = 0.8", a => a.HoldFraction = 0.8 },
        { "HoldFraction = 0.81", a => a.HoldFraction = 0.81 },
        { "HoldFraction = 1.0", a => a.HoldFraction = 1.0 },
        { "HoldFraction = 1.0, DenseFraction = 0.0", a => { a.HoldFraction = 1.0; a.DenseFraction = 0.0; } },
        { "DenseFraction = 0.5", a => a.DenseFraction = 0.5 },
        { "DenseFraction = 0.51", a => a.DenseFraction = 0.51 },
        { "DenseFraction = 1.0", a => a.DenseFraction = 1.0 },
        { "ReestimateEvery = 0", a => a.ReestimateEvery = 0 },
        { "ReestimateEvery = 7", a => a.ReestimateEvery = 7 },
        { "Metric = (NeuronImportance)42", a => a.Metric = (NeuronImportance)42 },
        { "Selection = (NeuronSelection)(-1)", a => a.Selection = (NeuronSelection)(-1) },
    };

    [Fact]
    public void An_edit_outside_the_declarations_keeps_the_sat_block_cached()
    {
        string edited = SwiGluLm.Replace("private int Unrelated() { return 1; }", "private int Unrelated() { return 2 + 3; }");
        Assert.NotEqual(SwiGluLm, edited);
        var driver = GeneratorHarness.RunTwice(SwiGluLm, edited);

        Assert.NotEmpty(GeneratorHarness.StepOutputs(driver, SparseDslGenerator.Steps.Blocks));
        GeneratorHarness.AssertNothingRecomputed(driver, SparseDslGenerator.Steps.Blocks, SparseDslGenerator.Steps.Models);
    }

    [Fact]
    public void Changing_the_sat_attribute_regenerates_the_block()
    {
        var driver = GeneratorHarness.RunTwice(SwiGluLm, SwiGluLm.Replace("OmissionRate = 0.6", "OmissionRate = 0.5"));
        Assert.Contains(GeneratorHarness.StepOutputs(driver, SparseDslGenerator.Steps.Blocks), o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.Contains("OmissionRate = 0.5", driver.GetRunResult().Results.Single().GeneratedSources.Single(s => s.HintName == BlockFile).SourceText.ToString());
    }

    [Fact]
    public void The_sat_block_model_holds_no_symbols_syntax_or_compilation()
    {
        var driver = GeneratorHarness.Driver().RunGenerators(GeneratorHarness.Compilation(SwiGluLm));
        var outputs = GeneratorHarness.StepOutputs(driver, SparseDslGenerator.Steps.Blocks);
        Assert.Contains(outputs, o => o.Value is Specs.ParseResult { Model.Sat: not null });
        foreach (var (value, _) in outputs)
            GeneratorHarness.AssertHoldsNoRoslynObjects(value, "block");
    }

    /// <summary>A [Block] class 'Bad' (or <paramref name="name"/>) in namespace Demo with the SAT attribute and members given.</summary>
    private static string Block(string satAttribute, string members, string name = "Bad") => $$"""
        using SparseDsl;
        using static TorchSharp.torch;
        namespace Demo;
        [Block]
        {{satAttribute}}
        public partial class {{name}}
        {
        {{members}}
            public override Tensor forward(Tensor x) => x;
        }
        """;
}
