using System.Globalization;
using SparseDsl.Data;
using SparseDsl.Experiments.Training;
using static TorchSharp.torch;

namespace SparseDsl.Experiments.Vision;

/// <summary>One Fashion-MNIST training run from start to report: reads the data, trains (<see cref="VisionRunner"/>) and prints each epoch and the test accuracy.</summary>
public static class VisionJob
{
    /// <summary>Trains and reports; returns the exit code. Bad input throws before training starts.</summary>
    /// <param name="settings">The model and training settings.</param>
    /// <param name="dataDirectory">The folder of the four Fashion-MNIST IDX files.</param>
    /// <param name="trainLimit">Use at most this many training images (null: all).</param>
    /// <param name="testLimit">Use at most this many test images (null: all).</param>
    /// <param name="threads">Torch threads for the run (the process-wide count is restored afterwards).</param>
    /// <param name="logEvery">Print a step line every this many steps (0: only epochs).</param>
    /// <param name="device">cpu, cuda or cuda:N.</param>
    /// <param name="log">Where the report goes.</param>
    /// <param name="cancellation">Stops between steps.</param>
    public static int Run(VisionSettings settings, string dataDirectory, int? trainLimit, int? testLimit, int threads, long logEvery,
        string device, TextWriter log, CancellationToken cancellation = default)
    {
        var resolved = DeviceSelector.Resolve(device);
        MemoryCheck.EnsureFits([settings.MemoryEstimate()]); // plans the model: a width the heads do not divide is refused here too, before the data is read
        var (train, test) = LoadData(dataDirectory, trainLimit, testLimit);
        if (settings.Batch > train.Count)
            throw new ArgumentException($"--batch {settings.Batch} is larger than the {train.Count:N0} training images.");

        int callerThreads = get_num_threads();
        set_num_threads(threads);
        try
        {
            log.WriteLine($"Fashion-MNIST from {dataDirectory}: {train.Count:N0} training and {test.Count:N0} test images.");
            log.WriteLine($"{settings.Describe()}; {threads} torch threads.");
            var result = VisionRunner.Run(settings, train, test, resolved,
                onNotice: log.WriteLine,
                onEpoch: e => log.WriteLine(EpochLine(e, settings.Epochs)),
                onStep: (m, perEpoch) =>
                {
                    if (logEvery > 0 && m.Step % logEvery == 0 && m.Step % perEpoch != 0)
                        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"  step {m.Step}/{m.TotalSteps}  loss {m.Loss:0.0000}  lr {m.LearningRate:0.00e+00}  {m.TokensPerSecond:N0} images/s  ETA {PlainProgress.Eta(m)}"));
                },
                cancellation: cancellation);
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Parameters: {result.Parameters:N0} ({result.NonZeroParameters:N0} kept by the masks)."));
            if (result.Diverged)
            {
                log.WriteLine($"Diverged after {result.Epochs.Count} epochs: the loss or gradient norm became NaN or infinite. Lower --lr.");
                return ExitCodes.Diverged;
            }
            var final = result.Final!.Value;
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Test accuracy {final.Accuracy:0.0000} (loss {final.Loss:0.0000}) on {final.Count:N0} images after {settings.Epochs} epochs, {Time(result.Elapsed)} of training."));
            return ExitCodes.Success;
        }
        finally
        {
            set_num_threads(callerThreads);
        }
    }

    /// <summary>Reads the data, turning a missing folder into a message that says how to get the files.</summary>
    public static (LabelledImages Train, LabelledImages Test) LoadData(string directory, int? trainLimit, int? testLimit)
    {
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException(
                $"no Fashion-MNIST at '{directory}'. Install it with `apt-get install dataset-fashion-mnist` (Debian, Ubuntu: {FashionMnist.DebianDirectory}), " +
                "or download the four *-ubyte.gz files from https://github.com/zalandoresearch/fashion-mnist into a folder and pass --data DIR.");
        return FashionMnist.Load(directory, trainLimit, testLimit);
    }

    private static string EpochLine(VisionEpoch e, int epochs)
    {
        string test = e.Test is { } t ? FormattableString.Invariant($"test loss {t.Loss:0.0000}  test accuracy {t.Accuracy:0.0000}  ") : "";
        return FormattableString.Invariant($"epoch {e.Epoch}/{epochs}  train loss {e.TrainLoss:0.0000}  {test}{e.ImagesPerSecond:N0} images/s  elapsed {Time(e.Elapsed)}");
    }

    private static string Time(TimeSpan t) => t.ToString(t.TotalHours >= 1 ? @"h\:mm\:ss" : @"m\:ss", CultureInfo.InvariantCulture);
}
