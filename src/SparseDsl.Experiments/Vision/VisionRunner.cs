using System.Diagnostics;
using SparseDsl.Data;
using static TorchSharp.torch;

namespace SparseDsl.Experiments.Vision;

/// <summary>The test-set result after one epoch.</summary>
/// <param name="Epoch">Epochs done (from 1).</param>
/// <param name="Step">Optimizer steps done.</param>
/// <param name="TrainLoss">Mean training loss over the epoch's steps.</param>
/// <param name="Test">Loss and accuracy on the test set (null when not evaluated after this epoch).</param>
/// <param name="Elapsed">Time since training started (training and evaluation).</param>
/// <param name="ImagesPerSecond">Training images per second over the epoch's steps.</param>
public sealed record VisionEpoch(int Epoch, long Step, double TrainLoss, ClassificationResult? Test, TimeSpan Elapsed, double ImagesPerSecond);

/// <summary>A finished run.</summary>
/// <param name="Epochs">Every epoch's figures (the last has the final test result unless the run diverged).</param>
/// <param name="Diverged">The loss or gradient norm became NaN or infinite; training stopped there.</param>
/// <param name="Parameters">Trainable weights, masked ones included.</param>
/// <param name="NonZeroParameters">Trainable weights the masks keep.</param>
/// <param name="Elapsed">Wall time of training and evaluation (not data loading or model building).</param>
public sealed record VisionResult(IReadOnlyList<VisionEpoch> Epochs, bool Diverged, long Parameters, long NonZeroParameters, TimeSpan Elapsed)
{
    /// <summary>The test result after the last epoch (null when the run diverged).</summary>
    public ClassificationResult? Final => Diverged || Epochs.Count == 0 ? null : Epochs[^1].Test;
}

/// <summary>Trains a vision model on labelled images with the library's trainer (the model's scaled AdamW groups) and evaluates it.</summary>
public static class VisionRunner
{
    /// <summary>Trains <see cref="VisionSettings.Epochs"/> epochs and evaluates on <paramref name="test"/>.</summary>
    /// <param name="settings">Model and training settings.</param>
    /// <param name="train">Training images.</param>
    /// <param name="test">Test images.</param>
    /// <param name="device">Where to train.</param>
    /// <param name="onEpoch">Called after every epoch.</param>
    /// <param name="onStep">Called after every step, with the step's metrics and the steps per epoch.</param>
    /// <param name="cancellation">Stops between steps.</param>
    /// <param name="onNotice">Called once, before training, with lines about the built model (how its masked weights are stored; <see cref="SparseStorageNotice"/>).</param>
    public static VisionResult Run(VisionSettings settings, LabelledImages train, LabelledImages test, Device device,
        Action<VisionEpoch>? onEpoch = null, Action<StepMetrics, long>? onStep = null, CancellationToken cancellation = default, Action<string>? onNotice = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Epochs < 1) throw new ArgumentOutOfRangeException(nameof(settings), settings.Epochs, "At least one epoch.");
        using var data = new ImageBatches(train, test, settings.Batch, settings.Seed);
        using var model = settings.Build(device);
        if (onNotice is not null && SparseStorageNotice.Of(model) is { } storage) onNotice(storage);
        return model switch
        {
            FashionConvNet convNet => Train(convNet, settings, data, device, onEpoch, onStep, cancellation),
            FashionVit vit => Train(vit, settings, data, device, onEpoch, onStep, cancellation),
            _ => throw new InvalidOperationException($"No training loop for {model.GetType().Name}."),
        };
    }

    private static VisionResult Train<TModel>(TModel model, VisionSettings settings, ImageBatches data, Device device,
        Action<VisionEpoch>? onEpoch, Action<StepMetrics, long>? onStep, CancellationToken cancellation)
        where TModel : nn.Module<Tensor, Tensor>, IScaledModel
    {
        var plan = model.Plan.Layers.SelectMany(l => l.Parameters).Where(p => p.TiedTo is null).ToList();
        long parameters = plan.Sum(p => p.Count);
        long nonZero = plan.Sum(p => (long)Math.Round(p.Count * p.Density));

        long stepsPerEpoch = data.StepsPerEpoch;
        using var trainer = new Trainer<TModel>(model, settings.TrainerSettings(stepsPerEpoch * settings.Epochs), data, Classification.Loss);
        var epochs = new List<VisionEpoch>();
        var clock = Stopwatch.StartNew();
        try
        {
            for (int epoch = 1; epoch <= settings.Epochs; epoch++)
            {
                double lossSum = 0;
                var stepTime = TimeSpan.Zero;
                for (long i = 0; i < stepsPerEpoch; i++)
                {
                    cancellation.ThrowIfCancellationRequested();
                    var before = clock.Elapsed;
                    var metrics = trainer.TrainStep();
                    stepTime += clock.Elapsed - before;
                    lossSum += metrics.Loss;
                    onStep?.Invoke(metrics, stepsPerEpoch);
                }
                bool evaluate = settings.EvaluateEveryEpoch || epoch == settings.Epochs;
                ClassificationResult? result = evaluate ? Classification.Evaluate(model, data.ValidationBatches(device)) : null;
                var figures = new VisionEpoch(epoch, trainer.CompletedSteps, lossSum / stepsPerEpoch, result, clock.Elapsed,
                    stepsPerEpoch * settings.Batch / Math.Max(stepTime.TotalSeconds, 1e-9));
                epochs.Add(figures);
                onEpoch?.Invoke(figures);
            }
            return new VisionResult(epochs, false, parameters, nonZero, clock.Elapsed);
        }
        catch (TrainingDivergedException)
        {
            return new VisionResult(epochs, true, parameters, nonZero, clock.Elapsed);
        }
    }
}
