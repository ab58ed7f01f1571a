using SparseDsl.Data;
using SparseDsl.Examples.Gpt;
using static TorchSharp.torch;

namespace SparseDsl.Examples.Cli;

/// <summary>
/// One <c>train</c> invocation, with its inputs already parsed: opens the data, builds (or resumes) the generated
/// trainer, then creates the run folder and its metric writers. Everything that can be rejected is rejected before
/// the folder is touched.
/// </summary>
internal sealed class TrainingJob(RunConfig config, string folder, Device device, string? resumeFrom)
{
    public long EvaluateEvery { get; init; }
    public long CheckpointEvery { get; init; }
    public long LogEvery { get; init; } = 50;
    public TimeSpan? GarbageCollectionInterval { get; init; } = new TrainerSettings().GarbageCollectionInterval;
    public required SampleRequest Sample { get; init; }
    public bool Interactive { get; init; }
    public required TextWriter Log { get; init; }
    public required TextWriter Error { get; init; }

    private string CheckpointPath => Path.Combine(folder, TrainCommand.CheckpointFile);

    public int Run(CancellationToken cancellation)
    {
        // Before any tensor or file: a run that cannot fit is refused with its estimate.
        var estimate = MemoryCheck.EnsureFits(config.Untied, config.Width, config.ModelOptions, config.Batch, config.Context);
        using var corpus = BundledCorpus.OpenOrDefault(config.Data);
        var batches = new NextTokenBatches(corpus, config.Batch, config.Context, config.Seed);
        var settings = config.TrainerSettings with
        {
            EvaluateEvery = EvaluateEvery,
            CheckpointEvery = CheckpointEvery,
            CheckpointPath = CheckpointPath,
            GarbageCollectionInterval = GarbageCollectionInterval,
        };
        Log.WriteLine($"Data: {corpus.Source} ({corpus.Train.Length:N0} training bytes, {corpus.Validation.Length:N0} validation bytes)");
        Log.WriteLine($"Memory estimate: {estimate} of {TrainingMemoryEstimate.Size(TrainingMemoryEstimate.MachineBytes())}");
        // The tied (paper's) and untied LMs are two generated types, each with its own typed trainer.
        return config.Untied
            ? Train(() => resumeFrom is null
                ? new GptLmUntied.Trainer(new GptLmUntied(config.Width, device, config.Seed, config.ModelOptions), settings, batches, ownsModel: true)
                : GptLmUntied.Trainer.Resume(resumeFrom, settings, batches, device), cancellation)
            : Train(() => resumeFrom is null
                ? new GptLm.Trainer(new GptLm(config.Width, device, config.Seed, config.ModelOptions), settings, batches, ownsModel: true)
                : GptLm.Trainer.Resume(resumeFrom, settings, batches, device), cancellation);
    }

    private int Train<TModel>(Func<Trainer<TModel>> create, CancellationToken cancellation)
        where TModel : nn.Module<Tensor, Tensor>, IScaledModel
    {
        using var trainer = create();
        Log.Write(trainer.Model.Plan.Describe());
        foreach (var block in trainer.Omissions)
            Log.WriteLine($"{block.Name}: {block.Settings}");
        Log.WriteLine($"Run folder: {folder}");
        Directory.CreateDirectory(folder);
        using var metrics = new JsonlMetricsWriter(Path.Combine(folder, TrainCommand.MetricsFile), continueAfterStep: resumeFrom is null ? null : trainer.CompletedSteps);
        var tensorboard = new TensorBoardMetricsWriter(Path.Combine(folder, "tensorboard"));

        double validation;
        try
        {
            validation = Interactive
                ? LiveProgress.Run(trainer.Settings.Steps, live => trainer.Run(new ObserverGroup([live, metrics, tensorboard]), cancellation))
                : trainer.Run(new ObserverGroup([new PlainProgress(Log, LogEvery), metrics, tensorboard]), cancellation);
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

        Log.WriteLine($"final validation loss {validation:0.0000} nats/byte (uniform guess: {Math.Log(ByteTokenizer.VocabularySize):0.0000})");
        Log.WriteLine($"checkpoint: {CheckpointPath}; metrics: {Path.Combine(folder, TrainCommand.MetricsFile)}; TensorBoard: {tensorboard.LogDirectory}");
        if (Sample.Length > 0) Log.WriteLine($"sample:\n{Sample.Run(trainer.Model, config.Context, device)}");
        return ExitCodes.Success;
    }

    private string LastGood() => File.Exists(CheckpointPath)
        ? $"The last good checkpoint is {CheckpointPath} (step {Checkpoint.ReadHeader(CheckpointPath).Step}); continue with --resume {CheckpointPath}."
        : "No checkpoint had been written yet.";
}
