using Microsoft.CodeAnalysis;

namespace SparseDsl.Generators.Tests;

/// <summary>Each invalid declaration gets its own diagnostic, at the offending place, and no half-built model.</summary>
public class DiagnosticTests
{
    public static TheoryData<string, string, string> BadDeclarations => new()
    {
        { "SDSL001", Samples.Model("    [SparseLinear(Sparsity = 0.5)] public partial ScaledLinear H { get; }", "[Width(Base = 256)]\npublic class Bad"), "not partial" },
        { "SDSL002", Samples.Model("    [SparseLinear(Sparsity = 0.5)] public ScaledLinear H { get; set; } = null!;"), "partial property" },
        { "SDSL003", Samples.Model("    [SparseLinear(Sparsity = 0.5)] public partial ScaledEmbedding H { get; }"), "must be of type SparseDsl.ScaledLinear" },
        { "SDSL004", Samples.Model("    [SparseLinear(Sparsity = 0.5, In = \"widht\")] public partial ScaledLinear H { get; }"), "unknown name 'widht'" },
        { "SDSL004", Samples.Model("    [Linear(Out = \"4*\")] public partial ScaledLinear H { get; }"), "ends with an operator" },
        { "SDSL005", Samples.Model("    [SparseLinear(Sparsity = 1.0)] public partial ScaledLinear H { get; }"), "outside [0, 1)" },
        { "SDSL005", Samples.Model("    [SparseLinear(Sparsity = -0.25)] public partial ScaledLinear H { get; }"), "outside [0, 1)" },
        { "SDSL006", Samples.Model("    [Linear] public partial ScaledLinear H { get; }", "[Width(Base = 0)]\npublic partial class Bad"), "must be positive" },
        { "SDSL007", Samples.Model("    [Readout(Out = \"width\")] public partial ScaledLinear H { get; }"), "finite size" },
        { "SDSL007", Samples.Model("    [Embedding] public partial ScaledEmbedding E { get; }"), "Vocab" },
        { "SDSL008", Samples.Model("    [Linear] public partial ScaledLinear H { get; }", "[Width(Base = 256)]\npublic partial class Bad<T>"), "generic" },
        { "SDSL009", Samples.Model("    [Linear, SparseLinear(Sparsity = 0.5)] public partial ScaledLinear H { get; }"), "several layer attributes" },
        { "SDSL010", Samples.Model("    [Block] public partial ScaledLinear H { get; }"), "a [Block] class" },
        { "SDSL010", Samples.Model("    [Repeat(Depth = 2)] public partial TorchSharp.Modules.ModuleList<ScaledLinear> H { get; }"), "ModuleList<TBlock>" },
        { "SDSL011", Samples.Model("    [Readout(Out = \"10\", TiedTo = \"Nope\")] public partial ScaledLinear H { get; }"), "no [Embedding] property named 'Nope'" },
        { "SDSL011", Samples.Model("    [Embedding(Vocab = 10)] public partial ScaledEmbedding E { get; }\n    [Readout(Out = \"12\", TiedTo = \"E\")] public partial ScaledLinear H { get; }"), "maps width → 12" },
        { "SDSL011", Samples.Model("    [Embedding(Vocab = 10)] public partial ScaledEmbedding E { get; }\n    [Readout(Out = \"10\", TiedTo = \"E\", Bias = true)] public partial ScaledLinear H { get; }"), "no Bias or ZeroInit" },
        { "SDSL012", Samples.Model("    [Norm(Kind = NormKind.RmsNorm, Bias = true)] public partial ScaledNorm N { get; }"), "RMSNorm has no bias" },
        { "SDSL012", Samples.Model("    [Attention(HeadDim = 0)] public partial ScaledAttention A { get; }"), "head dimension must be positive" },
        { "SDSL012", Samples.Model("    [Embedding(Vocab = 10, Rows = \"vocab\")] public partial ScaledEmbedding E { get; }"), "both give the rows" },
        { "SDSL012", Samples.Model("    [Linear] public partial ScaledLinear H { get; }", "[Width(Base = 256, Vocab = -1)]\npublic partial class Bad"), "the vocabulary must be positive" },
        { "SDSL007", Samples.Model("    [Embedding(Rows = \"width\")] public partial ScaledEmbedding E { get; }"), "finite size" },
        { "SDSL004", Samples.Model("    [Readout(Out = \"2*vocab\")] public partial ScaledLinear H { get; }"), "'vocab' stands alone" },
        { "SDSL011", Samples.Model("    [Embedding(Rows = \"vocab\")] public partial ScaledEmbedding E { get; }\n    [Readout(Out = \"10\", TiedTo = \"E\")] public partial ScaledLinear H { get; }", "[Width(Base = 256, Vocab = 10)]\npublic partial class Bad"), "maps width → 10 while the embedding maps vocab ids" },
        { "SDSL008", Samples.Model("    [Linear] public partial ScaledLinear H { get; }", "[Width(Base = 256), Block]\npublic partial class Bad"), "both [Width] and [Block]" },
        { "SDSL001", Samples.Model("    [Linear] public partial ScaledLinear H { get; }", "[Block]\npublic class Bad"), "has [Block] but is not partial" },
        { "SDSL014", Samples.Model(Samples.ValidLayers + "\n    [Linear] public partial ScaledLinear Plan { get; }"), "is a member the generator writes" },
        { "SDSL014", Samples.Model(Samples.ValidLayers + "\n    [Linear] public partial ScaledLinear hidden2 { get; }"), "use PascalCase ('Hidden2')" },
        { "SDSL014", Samples.Model(Samples.ValidLayers + "\n    [Linear] public partial ScaledLinear @class { get; }"), "is its own state-dict name" },
        { "SDSL014", Samples.Model(Samples.ValidLayers + "\n    [Linear] public partial ScaledLinear Foo_Bar { get; }\n    [Linear] public partial ScaledLinear FooBar { get; }"), "both have the state-dict name 'foo_bar'" },
    };

    [Theory]
    [MemberData(nameof(BadDeclarations))]
    public void Invalid_declaration_gets_a_specific_diagnostic(string id, string source, string messagePart)
    {
        var result = GeneratorHarness.Run(source);
        Assert.Empty(result.Exceptions);
        var diagnostic = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Contains(messagePart, diagnostic.GetMessage());
        Assert.NotEqual(Location.None, diagnostic.Location);
        Assert.EndsWith(id + ".md", diagnostic.Descriptor.HelpLinkUri);
        GeneratorHarness.AssertErrorShellOnly(result);
    }

    [Fact]
    public void The_diagnostic_points_at_the_attribute()
    {
        string source = Samples.Model("    [SparseLinear(Sparsity = 2.0)] public partial ScaledLinear H { get; }");
        var diagnostic = Assert.Single(GeneratorHarness.Run(source).GeneratorDiagnostics);
        var span = diagnostic.Location.SourceSpan;
        Assert.Equal("SparseLinear(Sparsity = 2.0)", source.Substring(span.Start, span.Length));
    }

    [Fact]
    public void Valid_samples_have_no_diagnostics()
    {
        Assert.Empty(GeneratorHarness.Run(Samples.Mlp).GeneratorDiagnostics);
        Assert.Empty(GeneratorHarness.Run(Samples.TinyLm).GeneratorDiagnostics);
    }
}
