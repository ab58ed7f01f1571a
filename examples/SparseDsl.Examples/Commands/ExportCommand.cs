using System.CommandLine;
using System.Globalization;
using SparseDsl.Experiments.Gpt;
using SparseDsl.Export;

namespace SparseDsl.Examples.Cli;

/// <summary>
/// <c>export</c>: a checkpoint's weights as safetensors under PyTorch state-dict names, with the recipe, multipliers,
/// densities and tokenizer in the metadata; <c>--fold</c> multiplies every forward multiplier into the weights so a plain
/// PyTorch transformer reproduces the logits (docs/export.md).
/// </summary>
public static class ExportCommand
{
    /// <summary>Metadata keys the CLI adds: the run's settings and step, so <c>import</c> gives back a checkpoint <c>sample</c> reads.</summary>
    public const string RunConfigKey = "run_config", StepKey = "step";

    internal static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "A checkpoint written by train", Required = true };
        var output = new Option<string>("--out") { Description = "The file to write (replaced atomically if it exists)", Required = true };
        var format = CliOptions.Checked(new Option<string>("--format") { Description = "The file format: safetensors", DefaultValueFactory = _ => "safetensors" },
            v => v == "safetensors", "safetensors");
        var fold = new Option<bool>("--fold") { Description = "Fold every forward multiplier into the weights, for a plain transformer (1/√d_head attention, untied readout)" };
        var sparsePattern = new Option<bool>("--sparse-pattern") { Description = "Write each sparse-stored weight as its kept values and int32 CSR indices (torch.sparse_csr_tensor reads them) instead of a dense weight and mask" };
        var command = new Command("export", "Write a checkpoint's weights as safetensors (PyTorch names, SμPar metadata); --fold for plain PyTorch") { checkpoint, output, format, fold, sparsePattern };
        command.SetAction(result =>
        {
            string path = result.GetRequiredValue(checkpoint);
            string target = result.GetRequiredValue(output);
            var header = Checkpoint.ReadHeader(path);
            var config = RunConfig.FromJson(header.RunConfig, path);
            var entry = LanguageModels.Find(header.Recipe.ModelType)
                ?? throw new InvalidDataException($"Checkpoint '{path}' holds a {header.Recipe.ModelType}, which this example does not know ({LanguageModels.Choices}).");
            bool folded = result.GetValue(fold);
            bool keepPattern = result.GetValue(sparsePattern);
            if (folded && keepPattern)
                throw new ArgumentException("--fold and --sparse-pattern do not go together: a folded file is for plain transformers, which read dense weights.");
            if (folded && header.Recipe.Options.DepthRule != DepthRule.None)
                throw new ArgumentException($"--fold cannot fold depth rule {header.Recipe.Options.DepthRule.Token()}: {path} was trained with it, and its residual-branch multiplier m_L^(−α) is applied in the blocks' forward code, not in a weight a plain transformer could hold. Export without --fold (the metadata records depth_rule and residual_stacks).");
            var tokenizer = CheckpointTokenizer.Of(path, header, config);
            using var model = entry.FromRecipe(header.Recipe);
            Checkpoint.Load(path, model, optimizer: null);
            var metadata = WeightExport.Write(model, target, new ExportOptions
            {
                Fold = folded,
                SparsePattern = keepPattern,
                Tokenizer = tokenizer.Name,
                Metadata = new Dictionary<string, string>
                {
                    [RunConfigKey] = header.RunConfig,
                    [StepKey] = header.Step.ToString(CultureInfo.InvariantCulture),
                },
            });
            var log = result.InvocationConfiguration.Output;
            int tensors = Export.SafeTensors.Open(target).Entries.Count;
            log.WriteLine($"Wrote {target}: {tensors} tensors of {header.Recipe.ModelType} (width {header.Recipe.Width}, {metadata[ExportMetadata.Parameterization]}, step {header.Step}), tokenizer {tokenizer.Name}, "
                + (keepPattern ? $"{SparseStoredCount(metadata)} sparse-stored weights as CSR values and indices, " : "")
                + (folded ? "multipliers folded into the weights (a plain transformer with 1/√d_head attention reproduces the logits; see docs/export.md)." : "multipliers in the metadata; import loads it back."));
            return ExitCodes.Success;
        });
        return command;
    }

    private static int SparseStoredCount(IReadOnlyDictionary<string, string> metadata) =>
        System.Text.Json.Nodes.JsonNode.Parse(metadata[ExportMetadata.SparseTensors])!.AsObject().Count;
}
