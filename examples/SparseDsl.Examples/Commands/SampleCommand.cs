using System.CommandLine;
using SparseDsl.Experiments.Gpt;
using static TorchSharp.torch;

namespace SparseDsl.Examples.Cli;

/// <summary><c>sample</c>: rebuilds the model a checkpoint describes, loads its weights and masks, and continues a prompt.</summary>
internal static class SampleCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "A checkpoint written by train", Required = true };
        var device = CliOptions.Device();
        var tokens = new Option<string?>("--tokens") { Description = "A token file the model should read: refused unless its tokenizer is the checkpoint's" };
        var sample = new SampleArguments();
        var command = new Command("sample", "Sample text from a trained checkpoint (temperature, top-k), decoded with the tokenizer it was trained with") { checkpoint, device, tokens };
        foreach (var option in sample.All) command.Options.Add(option);
        command.SetAction(result =>
        {
            string path = result.GetRequiredValue(checkpoint);
            var request = sample.Bind(result);
            var resolved = DeviceSelector.Resolve(result.GetRequiredValue(device));
            var header = Checkpoint.ReadHeader(path);
            var config = RunConfig.FromJson(header.RunConfig, path);
            var entry = LanguageModels.Find(header.Recipe.ModelType)
                ?? throw new InvalidDataException($"Checkpoint '{path}' holds a {header.Recipe.ModelType}, which this example cannot sample from (it knows {LanguageModels.Choices}).");
            var tokenizer = CheckpointTokenizer.Of(path, header, config);
            if (result.GetValue(tokens) is { } tokenFile)
            {
                var data = CorpusArguments.CheckedHeader(tokenFile);
                if (data.Tokenizer != tokenizer.Name)
                    throw new InvalidDataException($"Checkpoint '{path}' holds a model of {tokenizer.Name} tokens, but token file '{tokenFile}' holds {data.Tokenizer} tokens.");
            }
            using var model = entry.FromRecipe(header.Recipe, resolved);
            Checkpoint.Load(path, model, optimizer: null);
            result.InvocationConfiguration.Output.WriteLine(request.Run(model, tokenizer, config.Context, resolved));
            return ExitCodes.Success;
        });
        return command;
    }
}
