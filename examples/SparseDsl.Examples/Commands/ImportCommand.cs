using System.CommandLine;
using System.Globalization;
using SparseDsl.Experiments.Gpt;
using SparseDsl.Export;

namespace SparseDsl.Examples.Cli;

/// <summary>
/// <c>import</c>: an unfolded safetensors export back into the declared model its recipe names, saved as an inference
/// checkpoint (no optimizer state) that <c>sample</c> and <c>export</c> read. Missing, extra or misshaped tensors are refused.
/// </summary>
internal static class ImportCommand
{
    public static Command Create()
    {
        var weights = new Option<string>("--weights") { Description = "A safetensors file written by export (without --fold)", Required = true };
        var output = new Option<string>("--out") { Description = "The checkpoint to write (must not exist)", Required = true };
        var command = new Command("import", "Load a safetensors export back into its declared model and save it as a checkpoint for sample") { weights, output };
        command.SetAction(result =>
        {
            string path = result.GetRequiredValue(weights);
            string target = result.GetRequiredValue(output);
            if (File.Exists(target)) throw new ArgumentException($"'{target}' exists; import writes a new checkpoint, so choose another --out.");
            var file = WeightImport.Open(path);
            var recipe = WeightImport.Recipe(file);
            var entry = LanguageModels.Find(recipe.ModelType)
                ?? throw new InvalidDataException($"'{path}' holds a {recipe.ModelType}, which this example does not know ({LanguageModels.Choices}).");
            string runConfig = file.Metadata.TryGetValue(ExportCommand.RunConfigKey, out var saved) ? saved : new RunConfig
            {
                Model = recipe.ModelType,
                Width = recipe.Width,
                Seed = recipe.Seed,
                Tokenizer = file.Metadata.GetValueOrDefault(ExportMetadata.Tokenizer) ?? Tokenizers.Default,
                Vocabulary = recipe.Options.Vocabulary,
            }.ToJson();
            long step = file.Metadata.TryGetValue(ExportCommand.StepKey, out var s) && long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out long n) ? n : 0;
            var header = new CheckpointHeader(recipe, step, runConfig, DateTimeOffset.UtcNow);
            CheckpointTokenizer.Of(path, header, RunConfig.FromJson(runConfig, path));
            using var model = entry.FromRecipe(recipe);
            WeightImport.Load(file, model);
            Checkpoint.Save(target, header, model, optimizer: null);
            result.InvocationConfiguration.Output.WriteLine($"Wrote {target}: {recipe.ModelType} (width {recipe.Width}, step {step}) from {file.Entries.Count} tensors of {path}.");
            return ExitCodes.Success;
        });
        return command;
    }
}
