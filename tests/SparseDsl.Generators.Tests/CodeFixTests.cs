using SparseDsl.CodeFixes;

namespace SparseDsl.Generators.Tests;

/// <summary>Each code fix applied in a workspace: the text it produces, and that the diagnostic is gone afterwards.</summary>
public class CodeFixTests
{
    private const string Layers = Samples.ValidLayers;

    [Fact]
    public async Task Make_partial()
    {
        string source = Samples.Model(Layers, "[Width(Base = 256)]\npublic sealed class Bad");
        string fixedText = await CodeFixHarness.ApplyFix(source, "SDSL001", new MakeModelPartialCodeFix());
        Assert.Contains("public sealed partial class Bad", fixedText);
        Assert.DoesNotContain(await CodeFixHarness.Diagnose(fixedText), d => d.Id == "SDSL001");
    }

    [Fact]
    public async Task Make_partial_without_other_modifiers()
    {
        string source = Samples.Model(Layers, "[Width(Base = 256)]\nclass Bad");
        string fixedText = await CodeFixHarness.ApplyFix(source, "SDSL001", new MakeModelPartialCodeFix());
        Assert.Contains("[Width(Base = 256)]\npartial class Bad", fixedText.Replace("\r\n", "\n"));
        Assert.Empty(await CodeFixHarness.Diagnose(fixedText));
    }

    [Fact]
    public async Task Replace_raw_optimizer_with_the_generated_groups()
    {
        string source = Samples.Model(Layers) + """

            public static class Training
            {
                public static object Make(Demo.Bad model) => optim.AdamW(model.parameters(), 0.02, weight_decay: 0.1);
            }
            """;
        string fixedText = await CodeFixHarness.ApplyFix(source, "SDSL102", new UseGeneratedOptimizerCodeFix());
        Assert.Contains("model.CreateAdamW(new global::SparseDsl.AdamWSettings { LearningRate = 0.02 })", fixedText);
        Assert.Empty(await CodeFixHarness.Diagnose(fixedText));
    }

    [Fact]
    public async Task Declare_a_raw_linear_as_a_dsl_layer()
    {
        string source = Samples.Model(Layers + "\n    private TorchSharp.Modules.Linear proj = nn.Linear(256, 256);");
        string fixedText = await CodeFixHarness.ApplyFix(source, "SDSL101", new DeclareDslLayerCodeFix());
        Assert.Contains("[global::SparseDsl.Linear]", fixedText);
        Assert.Contains("public partial global::SparseDsl.ScaledLinear Proj { get; }", fixedText);
        Assert.Empty(await CodeFixHarness.Diagnose(fixedText));
    }

    [Fact]
    public async Task Declare_a_raw_embedding_keeps_its_vocabulary()
    {
        string source = Samples.Model(Layers + "\n    public TorchSharp.Modules.Embedding Pos { get; } = nn.Embedding(64, 256);");
        string fixedText = await CodeFixHarness.ApplyFix(source, "SDSL101", new DeclareDslLayerCodeFix());
        Assert.Contains("[global::SparseDsl.Embedding(Vocab = 64)]", fixedText);
        Assert.Empty(await CodeFixHarness.Diagnose(fixedText));
    }

    [Fact]
    public async Task Declare_a_raw_conv_as_a_conv_layer_keeping_its_sizes()
    {
        string source = Samples.Model(Layers + "\n    private TorchSharp.Modules.Conv2d patches = nn.Conv2d(3, 256, 4);");
        string fixedText = await CodeFixHarness.ApplyFix(source, "SDSL101", new DeclareDslLayerCodeFix());
        Assert.Contains("[global::SparseDsl.Conv(In = \"3\", Out = \"width\", Kernel = 4)]", fixedText);
        Assert.Contains("public partial global::SparseDsl.ScaledConv Patches { get; }", fixedText);
        Assert.Empty(await CodeFixHarness.Diagnose(fixedText));
    }
}
