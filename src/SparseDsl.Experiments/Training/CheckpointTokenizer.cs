using SparseDsl.Data;
using SparseDsl.Experiments.Gpt;
using SparseDsl.Experiments.Tokenization;

namespace SparseDsl.Experiments.Training;

/// <summary>The tokenizer a checkpoint's model reads and writes, checked against the model's vocabulary.</summary>
internal static class CheckpointTokenizer
{
    /// <summary>The tokenizer <paramref name="config"/> records (bytes for checkpoints from before token files).</summary>
    /// <exception cref="InvalidDataException">The tokenizer is unknown here, or its vocabulary is not the model's.</exception>
    public static ITokenizer Of(string path, CheckpointHeader header, RunConfig config)
    {
        if (!Tokenizers.IsKnown(config.Tokenizer))
            throw new InvalidDataException($"Checkpoint '{path}' was trained with tokenizer '{config.Tokenizer}', which this example does not know ({Tokenizers.Choices}).");
        var tokenizer = Tokenizers.Named(config.Tokenizer);
        int vocabulary = header.Recipe.Options.Vocabulary ?? LanguageModel.Vocab;
        if (vocabulary != tokenizer.VocabularySize)
            throw new InvalidDataException($"Checkpoint '{path}' holds a model of {vocabulary:N0} tokens, but its tokenizer {tokenizer.Name} has {tokenizer.VocabularySize:N0}: the checkpoint is inconsistent.");
        return tokenizer;
    }
}
