using SparseDsl.Experiments.Training;
using SparseDsl.Experiments.Gpt;
using SparseDsl.Experiments.Tokenization;
using static TorchSharp.torch;

namespace SparseDsl.Experiments.CoordinateCheck;

/// <summary>
/// The LMs of <see cref="LanguageModels"/> in the coordinate check: next-token batches of
/// <see cref="CoordinateCheckSettings.Batch"/> × <see cref="CoordinateCheckSettings.Context"/> from a text corpus (one
/// token per byte) or a token file (the model then takes the tokenizer's vocabulary), and the output of every layer's
/// attention and MLP sub-block (<see cref="ITransformerLayer"/>), averaged over the layers, and of an expert bank's
/// router logits where the MLP is one.
/// </summary>
/// <param name="model">The LM.</param>
/// <param name="corpus">The text or token file the batches are drawn from; the caller owns it (a <see cref="SparseDsl.Data.TextCorpus"/> converts).</param>
public sealed class LanguageModelFamily(LanguageModelEntry model, TrainingCorpus corpus) : ICoordinateCheckFamily
{
    /// <summary>
    /// Block names as they appear in rows and plots; <see cref="Stream"/> is the residual stream after the last layer
    /// (the coordinate check across depth only).
    /// </summary>
    public const string Attention = "attention", Mlp = "mlp", Router = "router", Stream = "stream";

    /// <inheritdoc />
    public string Name => model.Name;

    /// <inheritdoc />
    public string Source => corpus.Source;

    /// <inheritdoc />
    public void Validate(CoordinateCheckSettings settings)
    {
        foreach (var (width, density) in settings.Cells()) _ = model.Plan(width, Options(settings, Parameterization.SuPar, density)); // a width the model cannot take
    }

    /// <inheritdoc />
    public TrainingMemoryEstimate MemoryEstimate(CoordinateCheckSettings settings, int width, double density) =>
        MemoryCheck.Estimate(model, width, Options(settings, Parameterization.SuPar, density), settings.Batch, settings.Context);

    /// <inheritdoc />
    public TResult Train<TResult>(CoordinateCheckRun run, CoordinateCheckSettings settings, TrainerSettings trainer, Device device, Func<ProbedTraining, TResult> measure)
    {
        var batches = corpus.Batches(settings.Batch, settings.Context, run.Seed);
        return model.Train(model.Recipe(run.Width, run.Seed, Options(settings, run.Parameterization, run.Density)), trainer, batches, device, new Probing<TResult>(measure));
    }

    // The vocabulary is the corpus's (null for bytes: the declared 256), in the memory estimate as in the runs.
    private ModelOptions Options(CoordinateCheckSettings settings, Parameterization parameterization, double density) => new()
    {
        Parameterization = parameterization,
        Hyperparameters = settings.Hyperparameters,
        Sparsity = 1 - density,
        Depth = settings.Depth,
        Vocabulary = corpus.ModelVocabulary,
    };

    // Whichever LM the registry built: every layer's attention and MLP sub-blocks, an expert bank's router logits
    // (output-like under μP and SμPar, docs/moe.md, so watched too) and, with stream, the last layer's output.
    internal sealed class Probing<TResult>(Func<ProbedTraining, TResult> measure, bool stream = false) : ITrainerUser<TResult>
    {
        public TResult Use<TModel>(Trainer<TModel> trainer) where TModel : nn.Module<Tensor, Tensor>, ILanguageModel
        {
            var probes = trainer.Model.Layers.SelectMany(Probes).ToList();
            if (stream && trainer.Model.Layers[^1] is nn.Module<Tensor, Tensor> last) probes.Add(new Probe(Stream, last));
            return measure(new ProbedTraining(probes, trainer.TrainStep));
        }

        private static IEnumerable<Probe> Probes(ITransformerLayer layer)
        {
            yield return new Probe(Attention, layer.Attention);
            yield return new Probe(Mlp, layer.Mlp);
            if (layer.Mlp is IRoutedLayer routed) yield return new Probe(Router, routed.Router);
        }
    }
}
