using SparseDsl.Data;
using SparseDsl.Experiments;
using SparseDsl.Experiments.Gpt;
using SparseDsl.Experiments.Tokenization;
using static TorchSharp.torch;

namespace SparseDsl.Tests.Export;

/// <summary>Briefly trained example LMs and fixed token windows, for the export tests; the models train and run on <see cref="TestDevice.Current"/>.</summary>
internal static class ExportModels
{
    // 80 KB of the bundled corpus: enough for short windows in both parts.
    public static TextCorpus SmallText()
    {
        using var corpus = BundledCorpus.Open();
        byte[] bytes = new byte[80_000];
        corpus.Text.Read(0, bytes);
        return TextCorpus.FromBytes("small sample", bytes);
    }

    /// <summary>The paper's tied GptLm under SμPar, on GPT-2 tokens (vocabulary 50,257), after a few AdamW steps.</summary>
    public static GptLm TrainedTiedGpt2(string folder, int steps = 4)
    {
        using var text = SmallText();
        string tokens = Path.Combine(folder, "small.gpt2.tokens");
        if (!File.Exists(tokens)) TokenFile.Write(tokens, Tokenizers.Named("gpt2"), text);
        using var file = TokenFile.Open(tokens);
        var model = new GptLm(64, TestDevice.Current, seed: 1, options: new ModelOptions { Vocabulary = file.Header.VocabularySize });
        Train(model, new NextTokenBatches(file, 2, 16, seed: 1, validationBatches: 1), steps);
        return model;
    }

    /// <summary>
    /// The untied, zero-initialised GptLmUntied under μP on bytes, after a few AdamW steps; with <paramref name="storage"/>
    /// Sparse, 87.5% sparse with its masked layers stored as kept values, on the CPU (the sparse kernels' device).
    /// </summary>
    public static GptLmUntied TrainedUntiedBytes(int steps = 4, WeightStorage storage = WeightStorage.Auto)
    {
        using var text = SmallText();
        var model = storage == WeightStorage.Sparse
            ? new GptLmUntied(64, CPU, seed: 2, options: new ModelOptions { Parameterization = Parameterization.MuP, Sparsity = 0.875, Storage = storage })
            : new GptLmUntied(64, TestDevice.Current, seed: 2, options: new ModelOptions { Parameterization = Parameterization.MuP, Sparsity = 0.75, Storage = storage });
        Train(model, new NextTokenBatches(text, 2, 16, seed: 2, validationBatches: 1), steps);
        return model;
    }

    private static void Train<TModel>(TModel model, ITrainingData data, int steps) where TModel : nn.Module<Tensor, Tensor>, IScaledModel
    {
        using var trainer = new Trainer<TModel>(model, new TrainerSettings { Steps = steps, Optimizer = new AdamWSettings { LearningRate = 1e-2 } }, data);
        trainer.Run();
    }

    /// <summary>Two windows of <paramref name="length"/> ids below <paramref name="vocabulary"/>, seeded, on the CPU.</summary>
    public static Tensor Tokens(int vocabulary, int length = 24)
    {
        var random = new Random(5);
        return tensor(Enumerable.Range(0, 2 * length).Select(_ => (long)random.Next(vocabulary)).ToArray(), [2, length]);
    }

    /// <summary>The logits of a model in evaluation mode (SAT off) on the model's device, detached, on the CPU.</summary>
    public static Tensor Logits(nn.Module<Tensor, Tensor> model, Tensor tokens)
    {
        model.eval();
        using var _ = no_grad();
        using var onDevice = tokens.to(model.parameters().First().device);
        using var logits = model.call(onDevice);
        return logits.detach().cpu().clone();
    }
}
