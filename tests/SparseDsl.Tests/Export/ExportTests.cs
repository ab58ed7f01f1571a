using System.Text.Json;
using SparseDsl.Experiments.Gpt;
using SparseDsl.Export;
using SparseDsl.Tests.Checkpoints;
using static TorchSharp.torch;

namespace SparseDsl.Tests.Export;

/// <summary>Safetensors export and import: PyTorch names, SμPar metadata, a bitwise round trip, folding, and bad files refused.</summary>
public sealed class ExportTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    // The values on the CPU, whichever device the tensor is on (TestDevice.Current).
    private static float[] Values(Tensor t)
    {
        using var cpu = t.detach().cpu();
        return cpu.data<float>().ToArray();
    }

    [Fact]
    public void A_round_trip_through_safetensors_gives_bitwise_equal_logits()
    {
        using var model = ExportModels.TrainedTiedGpt2(_folder.Path);
        string path = _folder.File("model.safetensors");
        var metadata = WeightExport.Write(model, path, new ExportOptions { Tokenizer = "gpt2" });

        var file = WeightImport.Open(path);
        var recipe = WeightImport.Recipe(file);
        Assert.Equal(model.Recipe.Options.Vocabulary, recipe.Options.Vocabulary);
        // Another seed: other weights and other masks, so only the import can make the logits equal.
        using var other = new GptLm(recipe.Width, TestDevice.Current, seed: 99, options: recipe.Options);
        using var tokens = ExportModels.Tokens(50_257);
        using var before = ExportModels.Logits(other, tokens);
        using var expected = ExportModels.Logits(model, tokens);
        Assert.NotEqual(Values(expected), Values(before));
        WeightImport.Load(file, other);
        using var after = ExportModels.Logits(other, tokens);
        Assert.True(TestDevice.Same(expected, after), "the imported model's logits differ from the exported model's");

        // PyTorch names: exactly the state dict, masks included (the weights already equal W ⊙ M).
        Assert.Equal(model.state_dict().Keys.Order(), file.Entries.Select(e => e.Name).Order());
        Assert.Contains("blocks.0.attention.query.mask", file.Entries.Select(e => e.Name));
        Assert.DoesNotContain("lm_head.weight", file.Entries.Select(e => e.Name)); // tied: the table is embed.weight
        Assert.Equal("false", metadata[ExportMetadata.Folded]);
        Assert.Equal("gpt2", metadata[ExportMetadata.Tokenizer]);
        Assert.Equal("50257", metadata[ExportMetadata.Vocabulary]);
    }

    [Fact]
    public void The_metadata_holds_what_a_reader_needs_to_apply_the_multipliers()
    {
        using var model = ExportModels.TrainedTiedGpt2(_folder.Path, steps: 1);
        string path = _folder.File("meta.safetensors");
        WeightExport.Write(model, path);
        var metadata = SafeTensors.Open(path).Metadata;
        var h = BaseHyperparameters.Paper;
        Assert.Equal(("sparsedsl/1", "GptLm", "SuPar", "64", "256"), (metadata["format"], metadata["model"], metadata["parameterization"], metadata["width"], metadata["base_width"]));
        var multipliers = JsonSerializer.Deserialize<Dictionary<string, double>>(metadata["multipliers"])!;
        Assert.Equal(h.InputAlpha, multipliers["embed.weight"]);
        Assert.Equal(h.OutputAlpha / (64.0 / 256), multipliers["lm_head.weight"], 12);
        Assert.Equal(1.0, multipliers["blocks.1.mlp.down.weight"]);
        var densities = JsonSerializer.Deserialize<Dictionary<string, double>>(metadata["densities"])!;
        Assert.Equal(0.125, densities["blocks.0.attention.query"]);
        Assert.DoesNotContain("embed", densities.Keys);
        Assert.Equal("{\"lm_head.weight\":\"embed.weight\"}", metadata["tied"]);
        using var attention = JsonDocument.Parse(metadata["attention"]);
        var first = attention.RootElement.GetProperty("blocks.0.attention.attention");
        Assert.Equal(1.0 / 32, first.GetProperty("logit_scale").GetDouble());
        Assert.Equal("blocks.0.attention.query", first.GetProperty("query_projection").GetString());
        Assert.Equal(model.Recipe, WeightImport.Recipe(SafeTensors.Open(path)));
    }

    [Fact]
    public void Folding_multiplies_each_multiplier_into_its_weight_unties_the_readout_and_drops_the_masks()
    {
        using var model = ExportModels.TrainedTiedGpt2(_folder.Path, steps: 1);
        string path = _folder.File("folded.safetensors");
        WeightExport.Write(model, path, new ExportOptions { Fold = true });
        var file = SafeTensors.Open(path);
        Assert.Equal("true", file.Metadata[ExportMetadata.Folded]);
        // The metadata describes the file: nothing left to multiply, nothing tied, plain attention; what was folded is kept.
        Assert.Equal("{}", file.Metadata[ExportMetadata.Tied]);
        Assert.All(JsonSerializer.Deserialize<Dictionary<string, double>>(file.Metadata[ExportMetadata.Multipliers])!.Values, m => Assert.Equal(1.0, m));
        Assert.Equal(model.Embed.ForwardMultiplier, JsonSerializer.Deserialize<Dictionary<string, double>>(file.Metadata[ExportMetadata.FoldedMultipliers])!["embed.weight"]);
        using (var attention = JsonDocument.Parse(file.Metadata[ExportMetadata.Attention]))
        {
            var first = attention.RootElement.GetProperty("blocks.0.attention.attention");
            Assert.Equal(1 / Math.Sqrt(32), first.GetProperty("logit_scale").GetDouble());
            Assert.Equal(1.0 / 32, first.GetProperty("folded_logit_scale").GetDouble());
        }
        Assert.DoesNotContain(file.Entries, e => e.Name.EndsWith(".mask", StringComparison.Ordinal));
        var state = model.state_dict();
        double alphaIn = model.Embed.ForwardMultiplier, readout = model.LmHead.ForwardMultiplier, query = 1.0 / 32 * Math.Sqrt(32);
        Assert.Equal(Values(state["embed.weight"].mul(alphaIn)), Values(file.Read("embed.weight")));
        Assert.Equal(Values(state["embed.weight"].mul(readout)), Values(file.Read("lm_head.weight")));
        Assert.Equal(Values(state["blocks.1.attention.query.weight"].mul(query)), Values(file.Read("blocks.1.attention.query.weight")));
        Assert.Equal(Values(state["blocks.1.attention.key.weight"]), Values(file.Read("blocks.1.attention.key.weight")));
        Assert.Equal(Values(state["blocks.0.mlp.down.weight"]), Values(file.Read("blocks.0.mlp.down.weight")));
        // The folded file is for plain PyTorch, not for the declared model.
        var e = Assert.Throws<InvalidDataException>(() => WeightImport.Open(path));
        Assert.Contains("is a folded export", e.Message);
    }

    [Fact]
    public void Missing_misshaped_and_extra_tensors_are_refused_before_anything_is_loaded()
    {
        using var model = ExportModels.TrainedUntiedBytes(steps: 1);
        var state = model.state_dict().Select(kv => (kv.Key, kv.Value)).ToList();
        var metadata = SafeTensors.Open(Export(model)).Metadata;

        string Variant(string name, IReadOnlyList<(string, Tensor)> tensors)
        {
            string path = _folder.File(name);
            SafeTensors.Write(path, tensors, metadata);
            return path;
        }

        void Refused(string path, string message)
        {
            using var target = new GptLmUntied(64, TestDevice.Current, seed: 7, options: model.Recipe.Options);
            using var embedBefore = target.Embed.Weight.detach().clone();
            var e = Assert.Throws<InvalidDataException>(() => WeightImport.Load(WeightImport.Open(path), target));
            Assert.Contains(path, e.Message);
            Assert.Contains(message, e.Message);
            Assert.Equal(Values(embedBefore), Values(target.Embed.Weight.detach())); // untouched
        }

        Refused(Variant("missing.safetensors", state.Where(t => t.Key != "blocks.1.mlp.up.weight").ToList()),
            "lacks tensor 'blocks.1.mlp.up.weight' (F32 [256, 64]), which the model has");
        Refused(Variant("shape.safetensors", state.Select(t => t.Key == "lm_head.weight" ? (t.Key, zeros(255, 64)) : t).ToList()),
            "stores 'lm_head.weight' as F32 [255, 64], but the model's is F32 [256, 64]");
        Refused(Variant("dtype.safetensors", state.Select(t => t.Key == "final_norm.weight" ? (t.Key, t.Value.to(ScalarType.Float64)) : t).ToList()),
            "stores 'final_norm.weight' as F64 [64], but the model's is F32 [64]");
        Refused(Variant("extra.safetensors", [.. state, ("blocks.0.mlp.extra", zeros(3))]), "has tensor 'blocks.0.mlp.extra', which the model lacks");
    }

    private string Export(nn.Module model)
    {
        string path = _folder.File($"export-{Guid.NewGuid():N}.safetensors");
        WeightExport.Write(model, path);
        return path;
    }

    [Fact]
    public void Files_that_are_not_whole_safetensors_are_refused_with_the_problem()
    {
        using var model = ExportModels.TrainedUntiedBytes(steps: 1);
        byte[] good = File.ReadAllBytes(Export(model));

        void Refused(string name, byte[] content, string message)
        {
            string path = _folder.File(name);
            File.WriteAllBytes(path, content);
            var e = Assert.Throws<InvalidDataException>(() => WeightImport.Open(path));
            Assert.Contains($"Safetensors file '{path}'", e.Message);
            Assert.Contains(message, e.Message);
        }

        Refused("text.safetensors", "not a tensor file at all"u8.ToArray(), "is not a safetensors file");
        Refused("cut.safetensors", good[..(good.Length - 10)], "data offsets outside");
        Refused("long.safetensors", [.. good, 0, 0, 0, 0], "bytes after its last tensor");
        Refused("tiny.safetensors", [1, 2, 3], "is too short");
        string plain = _folder.File("plain.safetensors");
        SafeTensors.Write(plain, [("x", ones(2))]);
        var e = Assert.Throws<InvalidDataException>(() => WeightImport.Open(plain));
        Assert.Contains("is not a SparseDsl export", e.Message);
    }
}
