using SparseDsl.Data;
using SparseDsl.Experiments.Gpt;
using SparseDsl.Experiments.Tokenization;
using static TorchSharp.torch;

namespace SparseDsl.Experiments.Training;

/// <summary>
/// One <c>train</c> invocation, with its inputs already parsed: opens the data, builds (or resumes) the generated
/// trainer, then creates the run folder and its metric writers. Everything that can be rejected is rejected before
/// the folder is touched.
/// </summary>
/// <param name="config">The model, data and trainer settings of the run (a checkpoint's, when resuming).</param>
/// <param name="folder">The run folder: checkpoint, metrics.jsonl and tensorboard/.</param>
/// <param name="device">Where the model trains.</param>
/// <param name="resumeFrom">The checkpoint to continue, or null for a new run.</param>
public sealed class TrainingJob(RunConfig config, string folder, Device device, string? resumeFrom)
{
    /// <summary>The checkpoint's file name in the run folder.</summary>
    public const string CheckpointFile = "checkpoint.sdsl";

    /// <summary>The metrics file's name in the run folder.</summary>
    public const string MetricsFile = "metrics.jsonl";

    /// <summary>Evaluate on held-out text every this many steps (0: only at the end).</summary>
    public long EvaluateEvery { get; init; }

    /// <summary>Checkpoint every this many steps (0: only at the end).</summary>
    public long CheckpointEvery { get; init; }

    /// <summary>Print a progress line every this many steps when there is no <see cref="Live"/> display.</summary>
    public long LogEvery { get; init; } = 50;

    /// <summary>Collect finalizer-only native garbage at this interval (null: leave it to .NET); see <see cref="TrainerSettings.GarbageCollectionInterval"/>.</summary>
    public TimeSpan? GarbageCollectionInterval { get; init; } = new TrainerSettings().GarbageCollectionInterval;

    /// <summary>The text sampled after training (a length of 0: none).</summary>
    public required SampleRequest Sample { get; init; }
    /// <summary>
    /// Shows the run live (a terminal progress bar): called with the step count, the run to observe and the loss units;
    /// null prints a progress line every <see cref="LogEvery"/> steps instead.
    /// </summary>
    public LiveDisplay? Live { get; init; }
    /// <summary>Where the run's progress and results are written.</summary>
    public required TextWriter Log { get; init; }

    /// <summary>Where divergence and interruption are reported.</summary>
    public required TextWriter Error { get; init; }

    private string CheckpointPath => Path.Combine(folder, CheckpointFile);

    private LossUnits _units = LossUnits.Bytes;

    /// <summary>Trains (or resumes) to the end; returns the exit code (<see cref="ExitCodes"/>). Bad input throws before the folder is touched.</summary>
    public int Run(CancellationToken cancellation)
    {
        // Before any tensor or file: a run that cannot fit is refused with its estimate.
        var model = LanguageModels.Named(config.Model);
        var estimate = MemoryCheck.EnsureFits(model, config.Width, config.ModelOptions, config.Batch, config.Context);
        using var corpus = TrainingCorpus.Open(config.Data, config.Tokens);
        corpus.EnsureTokenizer(config.Tokenizer, resumeFrom is null ? "the run expects" : $"checkpoint '{resumeFrom}' holds a model of");
        if (corpus.ModelVocabulary != config.Vocabulary)
            throw new InvalidDataException($"{corpus.Source} has a vocabulary of {corpus.VocabularySize:N0}, but the model's is {config.Vocabulary ?? ByteTokenizer.VocabularySize:N0}; prepare the text again with --tokenizer {config.Tokenizer}.");
        _units = corpus.Units;
        var batches = corpus.Batches(config.Batch, config.Context, config.Seed);
        var settings = config.TrainerSettings with
        {
            EvaluateEvery = EvaluateEvery,
            CheckpointEvery = CheckpointEvery,
            CheckpointPath = CheckpointPath,
            GarbageCollectionInterval = GarbageCollectionInterval,
        };
        Log.WriteLine(corpus.Summary);
        Log.WriteLine($"Memory estimate: {estimate} of {TrainingMemoryEstimate.Size(TrainingMemoryEstimate.MachineBytes())}");
        var training = new Training(this, cancellation);
        return resumeFrom is null
            ? model.Train(model.Recipe(config.Width, config.Seed, config.ModelOptions), settings, batches, device, training)
            : model.Resume(resumeFrom, settings, batches, device, training);
    }

    private int Train<TModel>(Trainer<TModel> trainer, CancellationToken cancellation)
        where TModel : nn.Module<Tensor, Tensor>, ILanguageModel
    {
        Log.Write(trainer.Model.Plan.Describe());
        if (SparseStorageNotice.Of(trainer.Model) is { } storage) Log.WriteLine(storage);
        foreach (var block in trainer.Omissions)
            Log.WriteLine(block is HeadOmission ? $"{block.Name} ({block.Units} {block.UnitName}): {block.Settings}" : $"{block.Name}: {block.Settings}");
        Log.WriteLine($"Run folder: {folder}");
        Directory.CreateDirectory(folder);
        using var metrics = new JsonlMetricsWriter(Path.Combine(folder, MetricsFile), continueAfterStep: resumeFrom is null ? null : trainer.CompletedSteps);
        var tensorboard = new TensorBoardMetricsWriter(Path.Combine(folder, "tensorboard"));

        var experts = new ExpertLoadSummary();
        double validation;
        var throughput = new LastStep();
        try
        {
            validation = Live is not null
                ? Live(trainer.Settings.Steps, live => trainer.Run(new ObserverGroup([live, metrics, tensorboard, throughput, experts]), cancellation), _units)
                : trainer.Run(new ObserverGroup([new PlainProgress(Log, LogEvery, _units), metrics, tensorboard, throughput, experts]), cancellation);
        }
        catch (TrainingDivergedException e)
        {
            Error.WriteLine($"error: {e.Message} {LastGood()}");
            return ExitCodes.Diverged;
        }
        catch (OperationCanceledException)
        {
            Error.WriteLine($"interrupted. {LastGood()}");
            return ExitCodes.Interrupted;
        }

        var tokenizer = Tokenizers.Named(config.Tokenizer);
        if (config.Tokens is null)
            Log.WriteLine($"final validation loss {validation:0.0000} nats/byte (uniform guess: {Math.Log(ByteTokenizer.VocabularySize):0.0000})");
        else
            Log.WriteLine($"final validation loss {validation:0.0000} nats/token = {_units.BitsPerByte(validation):0.0000} bits/byte (uniform guess: {Math.Log(tokenizer.VocabularySize):0.0000} nats/token); "
                + $"{throughput.Last?.TokensPerSecond ?? 0:N0} tokens/s over {throughput.Last?.Tokens ?? 0:N0} tokens");
        experts.WriteTo(Log);
        Log.WriteLine($"checkpoint: {CheckpointPath}; metrics: {Path.Combine(folder, MetricsFile)}; TensorBoard: {tensorboard.LogDirectory}");
        if (Sample.Length > 0) Log.WriteLine($"sample:\n{Sample.Run(trainer.Model, tokenizer, config.Context, device)}");
        return ExitCodes.Success;
    }

    private string LastGood() => File.Exists(CheckpointPath)
        ? $"The last good checkpoint is {CheckpointPath} (step {Checkpoint.ReadHeader(CheckpointPath).Step}); continue with --resume {CheckpointPath}."
        : "No checkpoint had been written yet.";

    // The last step's metrics: its tokens/s is the run's (the trainer averages over the whole process).
    private sealed class LastStep : ITrainingObserver
    {
        public StepMetrics? Last { get; private set; }

        public void OnStart(long firstStep, long totalSteps)
        {
        }

        public void OnStep(StepMetrics m) => Last = m;

        public void OnEvaluation(EvaluationMetrics m)
        {
        }

        public void OnCheckpoint(long step, string path)
        {
        }
    }

    // Each model is its own generated type with its own trainer type: the registry hands the typed trainer in here.
    private sealed class Training(TrainingJob job, CancellationToken cancellation) : ITrainerUser<int>
    {
        public int Use<TModel>(Trainer<TModel> trainer) where TModel : nn.Module<Tensor, Tensor>, ILanguageModel => job.Train(trainer, cancellation);
    }
}
