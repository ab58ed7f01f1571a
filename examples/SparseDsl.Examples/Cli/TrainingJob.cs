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
        var model = LanguageModels.Named(config.Model);
        var estimate = MemoryCheck.EnsureFits(model, config.Width, config.ModelOptions, config.Batch, config.Context);
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
        var training = new Training(this, cancellation);
        return resumeFrom is null
            ? model.Train(model.Recipe(config.Width, config.Seed, config.ModelOptions), settings, batches, device, training)
            : model.Resume(resumeFrom, settings, batches, device, training);
    }

    private int Train<TModel>(Trainer<TModel> trainer, CancellationToken cancellation)
        where TModel : nn.Module<Tensor, Tensor>, ILanguageModel
    {
        Log.Write(trainer.Model.Plan.Describe());
        foreach (var block in trainer.Omissions)
            Log.WriteLine($"{block.Name}: {block.Settings}");
        Log.WriteLine($"Run folder: {folder}");
        Directory.CreateDirectory(folder);
        using var metrics = new JsonlMetricsWriter(Path.Combine(folder, TrainCommand.MetricsFile), continueAfterStep: resumeFrom is null ? null : trainer.CompletedSteps);
        var tensorboard = new TensorBoardMetricsWriter(Path.Combine(folder, "tensorboard"));

        var experts = new ExpertLoadSummary();
        double validation;
        try
        {
            validation = Interactive
                ? LiveProgress.Run(trainer.Settings.Steps, live => trainer.Run(new ObserverGroup([live, metrics, tensorboard, experts]), cancellation))
                : trainer.Run(new ObserverGroup([new PlainProgress(Log, LogEvery), metrics, tensorboard, experts]), cancellation);
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
        experts.WriteTo(Log);
        Log.WriteLine($"checkpoint: {CheckpointPath}; metrics: {Path.Combine(folder, TrainCommand.MetricsFile)}; TensorBoard: {tensorboard.LogDirectory}");
        if (Sample.Length > 0) Log.WriteLine($"sample:\n{Sample.Run(trainer.Model, config.Context, device)}");
        return ExitCodes.Success;
    }

    private string LastGood() => File.Exists(CheckpointPath)
        ? $"The last good checkpoint is {CheckpointPath} (step {Checkpoint.ReadHeader(CheckpointPath).Step}); continue with --resume {CheckpointPath}."
        : "No checkpoint had been written yet.";

    // Each model is its own generated type with its own trainer type: the registry hands the typed trainer in here.
    private sealed class Training(TrainingJob job, CancellationToken cancellation) : ITrainerUser<int>
    {
        public int Use<TModel>(Trainer<TModel> trainer) where TModel : nn.Module<Tensor, Tensor>, ILanguageModel => job.Train(trainer, cancellation);
    }
}
