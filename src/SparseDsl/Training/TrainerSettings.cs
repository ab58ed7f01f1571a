namespace SparseDsl;

/// <summary>How a <see cref="Trainer{TModel}"/> trains: steps, optimizer, schedule, clipping, accumulation, evaluation and checkpoints.</summary>
public sealed record TrainerSettings
{
    /// <summary>Optimizer steps in the whole run (a resumed run continues to this total). Must be positive.</summary>
    public long Steps { get; init; } = 600;

    /// <summary>AdamW at the base model: η_base, betas, ε, weight decay. Per-group LRs follow from the model's scaling.</summary>
    public AdamWSettings Optimizer { get; init; } = new();

    /// <summary>The LR factor over the run (default: the paper's 10% warm-up, linear decay to 1/10).</summary>
    public ScheduleSettings Schedule { get; init; } = new();

    /// <summary>Clip the global gradient norm to this value before each step; null turns clipping off. Default 1.0.</summary>
    public double? GradientClipNorm { get; init; } = 1.0;

    /// <summary>Micro-batches whose gradients are averaged into one optimizer step. Default 1.</summary>
    public int AccumulationSteps { get; init; } = 1;

    /// <summary>Evaluate on the held-out batches every this many steps (0: only after the last step).</summary>
    public long EvaluateEvery { get; init; }

    /// <summary>Where checkpoints go (null: none). Each save replaces the previous one atomically.</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>Save a checkpoint every this many steps (0: only after the last step).</summary>
    public long CheckpointEvery { get; init; }

    /// <summary>
    /// SAT for this run, replacing what every <see cref="SparsityAcceleratedAttribute">[SparsityAccelerated]</see> MLP
    /// block declares; null keeps the declared values. <see cref="SparsityAcceleration.Off"/> trains them dense, and
    /// also the attention-head blocks unless <see cref="HeadAcceleration"/> says otherwise, so it is the dense baseline.
    /// A model with no MLP SAT block rejects an override that omits neurons.
    /// </summary>
    public SparsityAcceleration? Acceleration { get; init; }

    /// <summary>
    /// SAT over attention heads for this run, replacing what every
    /// <see cref="SparsityAcceleratedAttribute">[SparsityAccelerated(Heads = true)]</see> block declares
    /// (<see cref="SparsityAcceleration.Off"/>: every head trains every step); null keeps the declared values, or turns
    /// them off when <see cref="Acceleration"/> is <see cref="SparsityAcceleration.Off"/>. A model with no head SAT block
    /// rejects an override that omits heads.
    /// </summary>
    public SparsityAcceleration? HeadAcceleration { get; init; }

    /// <summary>
    /// Run a generation-0 garbage collection after a step when this much time has passed since the last one (default
    /// null: leave collections to the .NET GC). TorchSharp frees some small native objects (a <c>Scalar</c> for each
    /// <see cref="double"/> operand of a tensor operation, and for the implicit alpha of <c>a + b</c>) only in .NET
    /// finalizers; at the GC's own pace they live for hundreds of steps between libtorch's large buffers in glibc's heap
    /// and keep those pages resident. The trainer's own steps make none (see <see cref="AdamWArithmetic"/>), which keeps
    /// the example's RSS within 1.1× of jemalloc's; a model whose <c>forward</c> makes many can set this (for example
    /// 1 s). Measured on the example: 20 MiB less peak RSS under glibc, and about 6% fewer tokens/s, because glibc then
    /// returns and re-faults heap pages (docs/performance.md, section 5).
    /// </summary>
    public TimeSpan? GarbageCollectionInterval { get; init; }

    /// <summary>The caller's run settings as JSON, stored in checkpoints so a resumed run or a sampler can read them back.</summary>
    public string RunConfig { get; init; } = "{}";

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (Steps <= 0) throw new ArgumentOutOfRangeException(nameof(Steps), Steps, "Steps must be positive.");
        if (AccumulationSteps <= 0) throw new ArgumentOutOfRangeException(nameof(AccumulationSteps), AccumulationSteps, "Accumulation steps must be positive.");
        if (GradientClipNorm is { } clip && !(clip > 0 && double.IsFinite(clip)))
            throw new ArgumentOutOfRangeException(nameof(GradientClipNorm), clip, "The gradient clip norm must be a positive number (or null for no clipping).");
        if (EvaluateEvery < 0) throw new ArgumentOutOfRangeException(nameof(EvaluateEvery), EvaluateEvery, "Must be 0 or positive.");
        if (GarbageCollectionInterval is { } interval && interval <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(GarbageCollectionInterval), interval, "Must be positive (or null to leave collections to the GC).");
        if (CheckpointEvery < 0) throw new ArgumentOutOfRangeException(nameof(CheckpointEvery), CheckpointEvery, "Must be 0 or positive.");
        ArgumentNullException.ThrowIfNull(Optimizer);
        ArgumentNullException.ThrowIfNull(Schedule);
        ArgumentNullException.ThrowIfNull(RunConfig);
        Acceleration?.Validate();
        HeadAcceleration?.Validate();
        _ = Schedule.Factor(1, Steps); // validates the fractions now rather than at step 1
    }
}
