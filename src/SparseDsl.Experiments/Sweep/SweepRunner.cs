using System.Diagnostics;
using SparseDsl.Data;
using SparseDsl.Experiments.Tokenization;
using SparseDsl.Experiments.Gpt;
using static TorchSharp.torch;

namespace SparseDsl.Experiments.Sweep;

/// <summary>Runs sweep cells: each one a short training run of the sweep's model (<see cref="SweepSettings.Model"/>) with its generated trainer.</summary>
public static class SweepRunner
{
    /// <summary>
    /// Runs every run of <paramref name="runs"/>, <paramref name="parallelRuns"/> at a time, handing each finished
    /// record to <paramref name="finished"/> (from the worker's thread). Stops starting runs once cancelled.
    /// </summary>
    public static void RunAll(SweepSettings settings, IReadOnlyList<SweepRun> runs, TrainingCorpus corpus, Device device,
        int parallelRuns, Action<SweepRecord> finished, CancellationToken cancellation = default)
    {
        var options = new ParallelOptions { MaxDegreeOfParallelism = parallelRuns, CancellationToken = cancellation };
        try
        {
            Parallel.ForEach(runs, options, run => finished(RunOne(settings, run, corpus, device, cancellation)));
        }
        catch (AggregateException e) when (e.InnerExceptions.Count == 1)
        {
            throw e.InnerExceptions[0];
        }
    }

    /// <summary>One run: trains for <see cref="SweepSettings.Steps"/> steps and evaluates on the held-out batches.</summary>
    public static SweepRecord RunOne(SweepSettings settings, SweepRun run, TrainingCorpus corpus, Device device, CancellationToken cancellation = default)
    {
        var config = settings.Config(run);
        var watch = Stopwatch.StartNew();
        var batches = corpus.Batches(config.Batch, config.Context, config.Seed);
        var entry = LanguageModels.Named(config.Model);
        var tail = new TailLoss(Math.Max(1, settings.Steps / 10));
        try
        {
            double validation = entry.Train(entry.Recipe(config.Width, config.Seed, config.ModelOptions), config.TrainerSettings, batches, device,
                new RunToEnd(tail, cancellation));
            return new SweepRecord(run, settings.Steps, tail.Mean, validation, Diverged: false, watch.Elapsed.TotalSeconds);
        }
        catch (TrainingDivergedException)
        {
            // A diverged run is a result of the sweep (the LR is too high), not an error of it.
            return new SweepRecord(run, settings.Steps, double.NaN, double.NaN, Diverged: true, watch.Elapsed.TotalSeconds);
        }
    }

    // Trains whichever model the registry built to the end; returns the final validation loss.
    private sealed class RunToEnd(ITrainingObserver observer, CancellationToken cancellation) : ITrainerUser<double>
    {
        public double Use<TModel>(Trainer<TModel> trainer) where TModel : nn.Module<Tensor, Tensor>, ILanguageModel => trainer.Run(observer, cancellation);
    }

    /// <summary>The mean training loss over the last <paramref name="count"/> steps: less noisy than the last step's.</summary>
    private sealed class TailLoss(long count) : ITrainingObserver
    {
        private readonly Queue<double> _losses = new();

        public double Mean => _losses.Count == 0 ? double.NaN : _losses.Average();

        public void OnStep(StepMetrics metrics)
        {
            _losses.Enqueue(metrics.Loss);
            if (_losses.Count > count) _losses.Dequeue();
        }
    }
}
