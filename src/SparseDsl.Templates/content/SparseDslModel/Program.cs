using SparseDsl;
using SparseDsl.Data;
using SparseDslModel;

// Trains TinyLm on a text file (or a small built-in corpus), then prints a sample.
//   dotnet run -- [--steps 300] [--width 128] [--data FILE] [--device cpu|cuda|cuda:N]   (default: $SPARSEDSL_DEVICE, else cpu)
// Every run writes runs/<time>/checkpoint.sdsl; a run folder is never overwritten.
RunOptions options;
try
{
    options = RunOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    Console.Error.WriteLine(RunOptions.Usage);
    return 2;
}

try
{
    var device = DeviceSelector.Resolve(options.Device);
    using var corpus = options.DataPath is null
        ? TextCorpus.FromBytes("built-in sample text", SampleText.Generate(seed: 1))
        : TextCorpus.Open(options.DataPath);
    var data = new NextTokenBatches(corpus, batchSize: 16, context: 64, seed: 1);

    string runFolder = Path.Combine("runs", DateTime.Now.ToString("yyyyMMdd-HHmmss"));
    if (Directory.Exists(runFolder))
        throw new IOException($"run folder '{runFolder}' already exists; wait a second and run again");
    Directory.CreateDirectory(runFolder);

    using var model = new TinyLm(options.Width, device, seed: 1);
    Console.WriteLine($"TinyLm at width {options.Width} on {device.type}, training on {corpus.Source} ({corpus.Train.Length:N0} bytes)");
    using var trainer = model.CreateTrainer(new TrainerSettings
    {
        Steps = options.Steps,
        Optimizer = new AdamWSettings { LearningRate = 1e-2 },   // η_base: tuned once at the base width, SμPar scales it per group
        EvaluateEvery = Math.Max(1, options.Steps / 4),
        CheckpointEvery = Math.Max(1, options.Steps / 4),
        CheckpointPath = Path.Combine(runFolder, "checkpoint.sdsl"),
    }, data);

    double validationLoss = trainer.Run(new ConsoleProgress(every: Math.Max(1, options.Steps / 10)));
    Console.WriteLine($"validation loss {validationLoss:F3} nats/byte; checkpoint {Path.Combine(runFolder, "checkpoint.sdsl")}");

    long[] sample = NextTokenSampler.Sample(model, ByteTokenizer.Encode("The "), length: 120, context: 64, new SamplingSettings(), device);
    Console.WriteLine($"sample: {ByteTokenizer.Decode(sample)}");
    return 0;
}
catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or InvalidOperationException or TrainingDivergedException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}

/// <summary>Prints one line every few steps and each evaluation.</summary>
sealed class ConsoleProgress(int every) : ITrainingObserver
{
    public void OnStep(StepMetrics m)
    {
        if (m.Step % every == 0 || m.Step == m.TotalSteps || m.Step == 1)
            Console.WriteLine($"step {m.Step}/{m.TotalSteps}  loss {m.Loss:F3}  {m.TokensPerSecond:N0} tokens/s");
    }

    public void OnEvaluation(EvaluationMetrics m) => Console.WriteLine($"step {m.Step}  validation loss {m.Loss:F3}");
}
