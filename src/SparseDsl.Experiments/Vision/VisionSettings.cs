using System.Globalization;
using SparseDsl.Experiments.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SparseDsl.Experiments.Vision;

/// <summary>The vision models the <c>vision</c> command trains.</summary>
public enum VisionModel
{
    /// <summary><see cref="FashionConvNet"/>.</summary>
    ConvNet,

    /// <summary><see cref="FashionVit"/>.</summary>
    Vit,
}

/// <summary>
/// One Fashion-MNIST training run: the model and its width, sparsity and parameterization, and how it is trained
/// (epochs, batch, AdamW, schedule). The defaults are the ConvNet run reported in the README; <see cref="For"/> gives
/// each model's.
/// </summary>
public sealed record VisionSettings
{
    /// <summary>Which model.</summary>
    public VisionModel Model { get; init; } = VisionModel.ConvNet;

    /// <summary>Model width (channels of the ConvNet's first convolutions; the ViT's token dimension).</summary>
    public int Width { get; init; } = FashionConvNet.BaseWidth;

    /// <summary>Sparsity of every hidden layer (the stem or patch convolution stays dense); null keeps the declared 0.875.</summary>
    public double? Sparsity { get; init; } = 0.875;

    /// <summary>SP, μP or SμPar.</summary>
    public Parameterization Parameterization { get; init; } = Parameterization.SuPar;

    /// <summary>ViT layers (null: the declared 4); the ConvNet has none to set.</summary>
    public int? Depth { get; init; }

    /// <summary>Passes over the training set.</summary>
    public int Epochs { get; init; } = 12;

    /// <summary>Images per step.</summary>
    public int Batch { get; init; } = 64;

    /// <summary>η_base: the peak base learning rate; each group gets η_base × its multiplier.</summary>
    public double LearningRate { get; init; } = 2e-3;

    /// <summary>σ_base, α_input and α_output (the learning rate is <see cref="LearningRate"/>). Default: the paper's.</summary>
    public BaseHyperparameters Hyperparameters { get; init; } = BaseHyperparameters.Paper;

    /// <summary>LR after warm-up.</summary>
    public ScheduleKind Schedule { get; init; } = ScheduleKind.Cosine;

    /// <summary>Fraction of the steps spent warming up.</summary>
    public double Warmup { get; init; } = 0.05;

    /// <summary>Last step's LR as a fraction of the peak.</summary>
    public double FinalLearningRate { get; init; }

    /// <summary>AdamW decoupled weight decay (weights only).</summary>
    public double WeightDecay { get; init; } = 0.1;

    /// <summary>Global gradient-norm clip (null: none).</summary>
    public double? Clip { get; init; } = 1.0;

    /// <summary>Seeds the weights, masks and the order of the training images.</summary>
    public long Seed { get; init; } = 1;

    /// <summary>Evaluate on the test set after every epoch (false: after the last only).</summary>
    public bool EvaluateEveryEpoch { get; init; } = true;

    /// <summary>
    /// The README's run of <paramref name="model"/>: at its base width (where η was swept), for as many epochs as fit in
    /// about 5 minutes on 2 cores. ConvNet: width 32, 12 epochs, η 2e-3; ViT: width 64, 6 epochs, η 4e-3.
    /// </summary>
    public static VisionSettings For(VisionModel model) => model switch
    {
        VisionModel.ConvNet => new VisionSettings { Model = model },
        VisionModel.Vit => new VisionSettings { Model = model, Width = FashionVit.BaseWidth, Epochs = 6, LearningRate = 4e-3 },
        _ => throw new ArgumentOutOfRangeException(nameof(model), model, "Unknown vision model."),
    };

    /// <summary>The model options these settings give.</summary>
    public ModelOptions ModelOptions => new()
    {
        Parameterization = Parameterization,
        Hyperparameters = Hyperparameters with { LearningRate = LearningRate },
        Sparsity = Sparsity,
        Depth = Depth,
    };

    /// <summary>The trainer settings for <paramref name="steps"/> optimizer steps.</summary>
    public TrainerSettings TrainerSettings(long steps) => new()
    {
        Steps = steps,
        Optimizer = new AdamWSettings { LearningRate = LearningRate, WeightDecay = WeightDecay },
        Schedule = new ScheduleSettings { Kind = Schedule, WarmupFraction = Warmup, FinalFraction = FinalLearningRate },
        GradientClipNorm = Clip,
    };

    /// <summary>The model resolved at these settings, without building a tensor.</summary>
    /// <exception cref="ArgumentException">The width, depth or sparsity cannot build the model; the message says why.</exception>
    public ModelPlan Plan() => Model switch
    {
        VisionModel.ConvNet => Depth is null
            ? ModelPlan.Create(FashionConvNet.Declaration, FashionConvNet.BaseWidth, Width, ModelOptions)
            : throw new ArgumentException("--depth sets the ViT's layers; the ConvNet's are fixed."),
        VisionModel.Vit => ModelPlan.Create(FashionVit.Declaration, FashionVit.BaseWidth, Width, ModelOptions),
        _ => throw new ArgumentOutOfRangeException(nameof(Model), Model, "Unknown vision model."),
    };

    /// <summary>
    /// Positions each layer's output holds per image, for the memory estimate: the ConvNet's largest map (14×14 after its
    /// stride-2 stem; later maps are smaller, so this bounds them), the ViT's 7×7 patches and its class token.
    /// </summary>
    public int PositionsPerImage => Model == VisionModel.Vit ? 7 * 7 + 1 : 14 * 14;

    /// <summary>What one training run at these settings needs in memory (batch × <see cref="PositionsPerImage"/> positions), from the plan alone.</summary>
    /// <exception cref="ArgumentException">The model cannot be built at these settings.</exception>
    public TrainingMemoryEstimate MemoryEstimate() => TrainingMemoryEstimate.For(Plan(), Batch, PositionsPerImage);

    /// <summary>Builds the model on <paramref name="device"/>.</summary>
    public nn.Module<Tensor, Tensor> Build(Device? device = null) => Model switch
    {
        VisionModel.ConvNet => Depth is null
            ? new FashionConvNet(Width, device, Seed, ModelOptions)
            : throw new ArgumentException("--depth sets the ViT's layers; the ConvNet's are fixed."),
        VisionModel.Vit => new FashionVit(Width, device, Seed, ModelOptions),
        _ => throw new ArgumentOutOfRangeException(nameof(Model), Model, "Unknown vision model."),
    };

    /// <summary>The settings on one line, as the command and the README print them.</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{Model} width {Width}{(Depth is int d ? $" depth {d}" : "")}, {Parameterization.DisplayName()}, sparsity {(Sparsity is double s ? s.ToString("0.#####", CultureInfo.InvariantCulture) : "as declared")}, " +
        $"{Epochs} epochs of batch {Batch}, AdamW η {LearningRate:0.####e+0} wd {WeightDecay} clip {(Clip is double c ? c.ToString(CultureInfo.InvariantCulture) : "off")}, " +
        $"{Schedule.ToString().ToLowerInvariant()} schedule (warm-up {Warmup:0.##}, final {FinalLearningRate:0.##}), seed {Seed}");
}
