using SparseDsl.Data;
using SparseDsl.Experiments.CoordinateCheck;
using static TorchSharp.torch;

namespace SparseDsl.Experiments.Vision;

/// <summary>
/// The Fashion-MNIST models in the coordinate check: batches of <see cref="CoordinateCheckSettings.Batch"/> training
/// images, the classification loss, and as probes the output of every sparse layer (before its norm and ReLU) and the
/// logits. <see cref="FashionConvNet"/>: <c>conv1</c>, <c>conv2</c>, <c>conv3</c>, <c>hidden</c>, <c>logits</c>.
/// <see cref="FashionVit"/>: <c>attention</c> (the output projection, what each layer adds to the residual stream),
/// <c>mlp</c> (the down projection), each averaged over the layers, and <c>logits</c>.
/// </summary>
/// <param name="model">ConvNet or ViT.</param>
/// <param name="train">The images the batches are drawn from.</param>
/// <param name="test">Held-out images; not used by the check, but <see cref="ImageBatches"/> wants them.</param>
public sealed class VisionFamily(VisionModel model, LabelledImages train, LabelledImages test) : ICoordinateCheckFamily
{
    /// <summary>Block names as they appear in rows and plots.</summary>
    public const string Conv1 = "conv1", Conv2 = "conv2", Conv3 = "conv3", Hidden = "hidden", Attention = "attention", Mlp = "mlp", Logits = "logits";

    /// <summary>
    /// The training images a check reads: the first 10,000 (a run of 10 steps of 32 uses 320 of them; loading and
    /// normalising all 60,000 for every run would cost more than a small model's steps).
    /// </summary>
    public const int TrainLimit = 10_000;

    /// <summary>
    /// The vision models' grid: densities 2⁰…2⁻⁴ at the model's base width (ConvNet 32, ViT 64), widths 32…256 at density
    /// 1/16, 10 steps, 3 seeds, batches of 32 images, the ViT at depth 2, and the base hyperparameters the
    /// <c>vision</c> command trains with (the paper's σ and α; η 2e-3 for the ConvNet, 4e-3 for the ViT) at a constant LR.
    /// </summary>
    public static CoordinateCheckSettings Defaults(VisionModel model)
    {
        var trained = VisionSettings.For(model);
        return new CoordinateCheckSettings
        {
            Densities = [1, 0.5, 0.25, 0.125, 0.0625],
            DensitySweepWidth = trained.Width,
            Widths = [32, 64, 128, 256],
            WidthSweepDensity = 0.0625,
            Steps = 10,
            Seeds = 3,
            Depth = 2,
            Batch = 32,
            Hyperparameters = trained.Hyperparameters with { LearningRate = trained.LearningRate },
        };
    }

    /// <inheritdoc />
    public string Name => model switch
    {
        VisionModel.ConvNet => nameof(FashionConvNet),
        VisionModel.Vit => nameof(FashionVit),
        _ => throw new ArgumentOutOfRangeException(nameof(model), model, "Unknown vision model."),
    };

    /// <inheritdoc />
    public string Source => train.Source;

    /// <inheritdoc />
    public void Validate(CoordinateCheckSettings settings)
    {
        if (settings.Batch > train.Count)
            throw new ArgumentException($"--batch {settings.Batch} is larger than the {train.Count:N0} training images.");
        foreach (var (width, density) in settings.Cells())
            _ = Settings(settings, new CoordinateCheckRun(Parameterization.SuPar, width, density, 0)).Plan(); // a width the ViT's heads do not divide
    }

    /// <inheritdoc />
    public TrainingMemoryEstimate MemoryEstimate(CoordinateCheckSettings settings, int width, double density) =>
        Settings(settings, new CoordinateCheckRun(Parameterization.SuPar, width, density, 0)).MemoryEstimate();

    /// <inheritdoc />
    public TResult Train<TResult>(CoordinateCheckRun run, CoordinateCheckSettings settings, TrainerSettings trainer, Device device, Func<ProbedTraining, TResult> measure)
    {
        using var data = new ImageBatches(train, test, settings.Batch, run.Seed);
        using var built = Settings(settings, run).Build(device);
        return built switch
        {
            FashionConvNet convNet => Measure(convNet, trainer, data, measure,
                [new(Conv1, convNet.Conv1), new(Conv2, convNet.Conv2), new(Conv3, convNet.Conv3), new(Hidden, convNet.Hidden), new(Logits, convNet.Head)]),
            FashionVit vit => Measure(vit, trainer, data, measure,
                [.. vit.Blocks.SelectMany(b => new Probe[] { new(Attention, b.Output), new(Mlp, b.Down) }), new(Logits, vit.Head)]),
            _ => throw new InvalidOperationException($"No probes for {built.GetType().Name}."),
        };
    }

    // The model at one cell of the grid, as the vision command would build it.
    private VisionSettings Settings(CoordinateCheckSettings settings, CoordinateCheckRun run) => new()
    {
        Model = model,
        Width = run.Width,
        Sparsity = 1 - run.Density,
        Parameterization = run.Parameterization,
        Depth = model == VisionModel.Vit ? settings.Depth : null,
        Batch = settings.Batch,
        LearningRate = settings.Hyperparameters.LearningRate,
        Hyperparameters = settings.Hyperparameters,
        Seed = run.Seed,
    };

    private static TResult Measure<TModel, TResult>(TModel built, TrainerSettings settings, ImageBatches data, Func<ProbedTraining, TResult> measure, IReadOnlyList<Probe> probes)
        where TModel : nn.Module<Tensor, Tensor>, IScaledModel
    {
        using var trainer = new Trainer<TModel>(built, settings, data, Classification.Loss);
        return measure(new ProbedTraining(probes, trainer.TrainStep));
    }
}
