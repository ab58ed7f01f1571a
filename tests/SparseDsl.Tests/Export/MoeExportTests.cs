using System.Text.Json;
using SparseDsl.Data;
using SparseDsl.Experiments.Moe;
using SparseDsl.Export;
using SparseDsl.Tests.Checkpoints;
using static TorchSharp.torch;

namespace SparseDsl.Tests.Export;

/// <summary>
/// Exporting the mixture-of-experts LM: the router's forward multiplier (α_router/m_d) is recorded in the metadata of an
/// unfolded file and folded into the router weight of a folded one; the run-time vocabulary travels with the recipe.
/// </summary>
public sealed class MoeExportTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private const int Vocabulary = 300; // not the declared 256: the vocab dimension is set at run time
    private const string Router = "blocks.0.mlp.router.weight";
    private const double RouterAlpha = 0.5; // not the default 1, so the metadata must carry the run's own value

    private static MoeLm Trained()
    {
        var options = new ModelOptions { Depth = 1, Vocabulary = Vocabulary, Hyperparameters = BaseHyperparameters.Paper with { RouterAlpha = RouterAlpha } };
        var model = new MoeLm(64, TestDevice.Current, seed: 3, options: options);
        using var text = ExportModels.SmallText();
        using var trainer = new Trainer<MoeLm>(model, new TrainerSettings { Steps = 2, Optimizer = new AdamWSettings { LearningRate = 1e-2 } },
            new NextTokenBatches(text, 2, 16, seed: 3, validationBatches: 1));
        trainer.Run();
        return model;
    }

    private static float[] Values(Tensor t)
    {
        using var cpu = t.detach().cpu();
        return cpu.data<float>().ToArray();
    }

    [Fact]
    public void The_unfolded_file_records_the_router_multiplier_and_round_trips_the_logits()
    {
        using var model = Trained();
        string path = _folder.File("moe.safetensors");
        var metadata = WeightExport.Write(model, path);
        var multipliers = JsonSerializer.Deserialize<Dictionary<string, double>>(metadata[ExportMetadata.Multipliers])!;
        double m = model.Blocks[0].Mlp.Router.ForwardMultiplier;
        Assert.Equal(RouterAlpha / (64.0 / 256), m, 12); // SμPar: α_router/m_d = 2
        Assert.Equal(m, multipliers[Router]);
        Assert.Equal(1.0, multipliers["blocks.0.mlp.experts.7.down.weight"]);
        Assert.Equal("300", metadata[ExportMetadata.Vocabulary]);
        using (var hyperparameters = JsonDocument.Parse(metadata[ExportMetadata.Hyperparameters]))
            Assert.Equal(RouterAlpha, hyperparameters.RootElement.GetProperty("router_alpha").GetDouble());
        Assert.Equal(RouterAlpha, WeightImport.Recipe(WeightImport.Open(path)).Options.Hyperparameters.RouterAlpha);

        var file = WeightImport.Open(path);
        var recipe = WeightImport.Recipe(file);
        using var other = new MoeLm(recipe.Width, TestDevice.Current, seed: 99, options: recipe.Options);
        Assert.Equal([Vocabulary, 64L], other.Embed.Weight.shape);
        using var tokens = ExportModels.Tokens(Vocabulary);
        using var expected = ExportModels.Logits(model, tokens);
        Assert.NotEqual(Values(expected), Values(ExportModels.Logits(other, tokens)));
        WeightImport.Load(file, other);
        Assert.True(TestDevice.Same(expected, ExportModels.Logits(other, tokens)), "the imported MoE's logits differ from the exported model's");
    }

    [Fact]
    public void Folding_puts_the_router_multiplier_into_the_router_weight_and_leaves_the_experts()
    {
        using var model = Trained();
        string path = _folder.File("moe.folded.safetensors");
        WeightExport.Write(model, path, new ExportOptions { Fold = true });
        var file = SafeTensors.Open(path);
        var router = model.Blocks[0].Mlp.Router;
        double m = router.ForwardMultiplier;
        Assert.Equal(1.0, JsonSerializer.Deserialize<Dictionary<string, double>>(file.Metadata[ExportMetadata.Multipliers])![Router]);
        Assert.Equal(m, JsonSerializer.Deserialize<Dictionary<string, double>>(file.Metadata[ExportMetadata.FoldedMultipliers])![Router]);

        var state = model.state_dict();
        Assert.Equal(Values(state[Router].mul(m)), Values(file.Read(Router)));
        Assert.Equal(Values(state["blocks.0.mlp.experts.3.up.weight"]), Values(file.Read("blocks.0.mlp.experts.3.up.weight")));
        Assert.DoesNotContain(file.Entries, e => e.Name.EndsWith(".mask", StringComparison.Ordinal));

        // A plain router, x W_r'ᵀ with no multiplier, gives the model's router logits: (x·W)·m against x·(m·W) in float32,
        // a few ε (1.2e-7) of the largest logit apart over dot products of length 64; 1e-5 relative leaves a wide margin
        // and is far below the factor m = 2 a missing fold would leave.
        using var generator = new Generator(11);
        using var x = randn([8, 64], generator: generator);
        using var _ = no_grad();
        using var declared = router.call(x.to(TestDevice.Current)).cpu();
        using var plain = nn.functional.linear(x, file.Read(Router));
        double scale = declared.abs().max().item<float>();
        double error = (plain - declared).abs().max().item<float>();
        Assert.True(error <= 1e-5 * scale, $"folded router logits: max |Δ| {error} with max |z| {scale}");
    }
}
