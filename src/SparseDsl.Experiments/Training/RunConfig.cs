using System.Text.Json;
using System.Text.Json.Serialization;

namespace SparseDsl.Experiments.Training;

/// <summary>
/// Everything a <c>train</c> run was asked to do, stored in each checkpoint: <c>--resume</c> continues with exactly
/// these settings (so the resumed losses equal an uninterrupted run's) and <c>sample</c> reads the context length.
/// </summary>
public sealed record RunConfig
{
    /// <summary>Model width (the base is 256).</summary>
    public int Width { get; init; } = 128;

    /// <summary>Transformer blocks.</summary>
    public int Depth { get; init; } = 2;

    /// <summary>Every sparse layer's sparsity (null: as declared, 0.875).</summary>
    public double? Sparsity { get; init; }

    /// <summary>SP, μP or SμPar.</summary>
    public Parameterization Parameterization { get; init; } = Parameterization.SuPar;

    /// <summary>Depth rule (none in configs saved before depth rules existed).</summary>
    public DepthRule DepthRule { get; init; } = DepthRule.None;

    /// <summary>σ_base.</summary>
    public double InitStd { get; init; } = BaseHyperparameters.Paper.InitStd;

    /// <summary>η_base.</summary>
    public double LearningRate { get; init; } = BaseHyperparameters.Paper.LearningRate;

    /// <summary>α_input.</summary>
    public double InputAlpha { get; init; } = BaseHyperparameters.Paper.InputAlpha;

    /// <summary>α_output.</summary>
    public double OutputAlpha { get; init; } = BaseHyperparameters.Paper.OutputAlpha;

    /// <summary>α_router (expert banks only).</summary>
    public double RouterAlpha { get; init; } = BaseHyperparameters.Paper.RouterAlpha;

    /// <summary>The expert banks' balance-loss coefficient in place of the declared one (<c>--balance-loss</c>, MoeLm only), or null.</summary>
    public double? BalanceLoss { get; init; }

    /// <summary>The LM, by its name in <see cref="Gpt.LanguageModels"/> (default: the paper's tied <c>GptLm</c>).</summary>
    public string Model { get; init; } = Gpt.LanguageModels.Default.Name;

    /// <summary>Seed for weights, masks and batches.</summary>
    public long Seed { get; init; } = 1;

    /// <summary>Optimizer steps.</summary>
    public long Steps { get; init; } = 600;

    /// <summary>Sequences per micro-batch.</summary>
    public int Batch { get; init; } = 16;

    /// <summary>Sequence length in bytes.</summary>
    public int Context { get; init; } = 64;

    /// <summary>Micro-batches per optimizer step.</summary>
    public int Accumulate { get; init; } = 1;

    /// <summary>Schedule after warm-up.</summary>
    public ScheduleKind Schedule { get; init; } = ScheduleKind.Linear;

    /// <summary>Warm-up fraction of the steps.</summary>
    public double Warmup { get; init; } = 0.1;

    /// <summary>Final LR as a fraction of the peak.</summary>
    public double FinalLearningRate { get; init; } = 0.1;

    /// <summary>Global gradient-norm clip (null: off).</summary>
    public double? Clip { get; init; } = 1.0;

    /// <summary>AdamW decoupled weight decay.</summary>
    public double WeightDecay { get; init; } = 0.1;

    /// <summary>AdamW β₁.</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>AdamW β₂.</summary>
    public double Beta2 { get; init; } = 0.95;

    /// <summary>Train the [SparsityAccelerated] MLPs with SAT (false: dense).</summary>
    public bool Sat { get; init; } = true;

    /// <summary>SAT's first-rung omission rate (null: as declared).</summary>
    public double? SatRate { get; init; }

    /// <summary>SAT's importance metric (null: as declared).</summary>
    public NeuronImportance? SatMetric { get; init; }

    /// <summary>SAT's first-rung omission rate of attention heads (null: as declared; the examples declare 0).</summary>
    public double? SatHeadRate { get; init; }

    /// <summary>SAT's head importance metric (null: <see cref="SatMetric"/>, else the default).</summary>
    public NeuronImportance? SatHeadMetric { get; init; }

    /// <summary>Training text (null: the bundled corpus, unless <see cref="Tokens"/> is set).</summary>
    public string? Data { get; init; }

    /// <summary>A token file made by <c>prepare</c> to train on instead of text (null: text, one token per byte).</summary>
    public string? Tokens { get; init; }

    /// <summary>The tokenizer the model reads and writes (<c>bytes</c> unless trained on a token file): <c>sample</c> decodes with it.</summary>
    public string Tokenizer { get; init; } = Tokenization.Tokenizers.Default;

    /// <summary>The model's vocabulary when it is not the declared 256 bytes (a BPE tokenizer's), else null.</summary>
    public int? Vocabulary { get; init; }

    /// <summary>How masked weights are stored (<c>--storage</c>): per layer by the measured rule, or forced dense or sparse.</summary>
    public WeightStorage Storage { get; init; } = WeightStorage.Auto;

    /// <summary>Recompute each block's activations in the backward pass (<c>--recompute</c>, <see cref="ModelOptions.RecomputeBlocks"/>); false in configs saved before it existed.</summary>
    public bool Recompute { get; init; }

    /// <summary>The model options this config gives.</summary>
    [JsonIgnore]
    public ModelOptions ModelOptions => new()
    {
        Parameterization = Parameterization,
        DepthRule = DepthRule,
        Hyperparameters = new BaseHyperparameters(InitStd, LearningRate, InputAlpha, OutputAlpha) { RouterAlpha = RouterAlpha },
        Sparsity = Sparsity,
        Depth = Depth,
        Vocabulary = Vocabulary,
        Storage = Storage,
        RecomputeBlocks = Recompute,
        BalanceLoss = BalanceLoss,
    };

    /// <summary>The trainer settings this config gives (checkpointing and evaluation cadence are added by the caller).</summary>
    [JsonIgnore]
    public TrainerSettings TrainerSettings => new()
    {
        Steps = Steps,
        Optimizer = new AdamWSettings { LearningRate = LearningRate, Beta1 = Beta1, Beta2 = Beta2, WeightDecay = WeightDecay },
        Schedule = new ScheduleSettings { Kind = Schedule, WarmupFraction = Warmup, FinalFraction = FinalLearningRate },
        GradientClipNorm = Clip,
        AccumulationSteps = Accumulate,
        Acceleration = Acceleration,
        HeadAcceleration = HeadAcceleration,
        RunConfig = ToJson(),
    };

    /// <summary>The run's SAT override: dense when off, the declared block settings when no SAT option is given.</summary>
    [JsonIgnore]
    public SparsityAcceleration? Acceleration
    {
        get
        {
            if (!Sat) return SparsityAcceleration.Off;
            if (SatRate is null && SatMetric is null) return null;
            var declared = SparsityAcceleration.Default;
            return declared with
            {
                Schedule = declared.Schedule with { InitialRate = SatRate ?? declared.Schedule.InitialRate },
                Metric = SatMetric ?? declared.Metric,
            };
        }
    }

    /// <summary>
    /// The run's SAT override of the attention-head blocks: dense when SAT is off, the default ladder at
    /// <see cref="SatHeadRate"/> when it is given (the same ladder shape as the MLP's), otherwise the declared values.
    /// </summary>
    [JsonIgnore]
    public SparsityAcceleration? HeadAcceleration
    {
        get
        {
            if (!Sat) return SparsityAcceleration.Off;
            if (SatHeadRate is not { } rate) return null;
            var declared = SparsityAcceleration.Default;
            return declared with
            {
                Schedule = declared.Schedule with { InitialRate = rate },
                Metric = SatHeadMetric ?? SatMetric ?? declared.Metric,
            };
        }
    }

    /// <summary>This config as JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, RunConfigJsonContext.Default.RunConfig);

    /// <summary>A config from JSON; malformed JSON is an <see cref="InvalidDataException"/> naming <paramref name="source"/>.</summary>
    public static RunConfig FromJson(string json, string source)
    {
        try
        {
            return JsonSerializer.Deserialize(json, RunConfigJsonContext.Default.RunConfig)
                ?? throw new InvalidDataException($"{source} holds no run settings.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source} holds unreadable run settings: {e.Message}", e);
        }
    }
}

/// <summary>Source-generated JSON for <see cref="RunConfig"/> (reflection-free); enums by name.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.KebabCaseLower, UseStringEnumConverter = true, WriteIndented = false)]
[JsonSerializable(typeof(RunConfig))]
internal sealed partial class RunConfigJsonContext : JsonSerializerContext;
