using static TorchSharp.torch;

namespace SparseDsl.Data;

/// <summary>
/// Training and test batches of labelled images for a <see cref="Trainer{TModel}"/>: inputs
/// <c>[batch, 1, rows, columns]</c> normalised by the training set's pixel mean and standard deviation, targets the labels
/// (int64). Training walks the training set in epochs, each in its own seeded order; micro-batch <c>k</c> of step
/// <c>s</c> is batch <c>(s − 1) · accumulation + k</c> of that walk, so the batches are a function of the step alone (a
/// resumed run sees what an uninterrupted one would). An epoch drops the last partial batch.
/// </summary>
public sealed class ImageBatches : ITrainingData, IDisposable
{
    private readonly Tensor trainImages, trainLabels, testImages, testLabels;
    private readonly long seed;
    private readonly int accumulation;
    private long cachedEpoch = -1;
    private long[] order = [];

    /// <summary>Batches of <paramref name="batchSize"/> images from <paramref name="train"/>; <paramref name="test"/> is the held-out set.</summary>
    /// <param name="train">The training images.</param>
    /// <param name="test">The held-out images, read in order by <see cref="ValidationBatches"/>.</param>
    /// <param name="batchSize">Images per micro-batch; at most the training set's size.</param>
    /// <param name="seed">Seeds each epoch's order.</param>
    /// <param name="accumulationSteps">Micro-batches per optimizer step (the trainer's <see cref="TrainerSettings.AccumulationSteps"/>).</param>
    /// <param name="evaluationBatchSize">Images per held-out batch.</param>
    public ImageBatches(LabelledImages train, LabelledImages test, int batchSize, long seed = 0, int accumulationSteps = 1, int evaluationBatchSize = 1000)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(accumulationSteps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(evaluationBatchSize, 1);
        if (batchSize > train.Count)
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"The batch size is larger than the {train.Count:N0} training images.");
        if (test.Count == 0) throw new ArgumentException("The test set is empty.", nameof(test));
        if (test.Rows != train.Rows || test.Columns != train.Columns)
            throw new ArgumentException($"Test images are {test.Rows}×{test.Columns} but training images are {train.Rows}×{train.Columns}.", nameof(test));
        (Train, Test, BatchSize, this.seed, accumulation, EvaluationBatchSize) = (train, test, batchSize, seed, accumulationSteps, evaluationBatchSize);
        (Mean, Std) = PixelStatistics(train);
        trainImages = Normalised(train);
        trainLabels = Labels(train);
        testImages = Normalised(test);
        testLabels = Labels(test);
    }

    /// <summary>The training images.</summary>
    public LabelledImages Train { get; }

    /// <summary>The held-out images.</summary>
    public LabelledImages Test { get; }

    /// <summary>Images per micro-batch.</summary>
    public int BatchSize { get; }

    /// <summary>Images per held-out batch.</summary>
    public int EvaluationBatchSize { get; }

    /// <summary>Mean of the training pixels, scaled to [0, 1]; subtracted from every pixel.</summary>
    public double Mean { get; }

    /// <summary>Standard deviation of the training pixels, scaled to [0, 1]; every pixel is divided by it.</summary>
    public double Std { get; }

    /// <summary>Full micro-batches in one pass over the training set.</summary>
    public int BatchesPerEpoch => Train.Count / BatchSize;

    /// <summary>Optimizer steps in one pass over the training set (at least 1).</summary>
    public long StepsPerEpoch => Math.Max(1, BatchesPerEpoch / accumulation);

    /// <inheritdoc />
    public long TokensPerBatch => BatchSize;

    /// <inheritdoc />
    public (Tensor Inputs, Tensor Targets) TrainingBatch(long step, int microStep, Device device)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(step, 1);
        long index = (step - 1) * accumulation + microStep;
        long epoch = index / BatchesPerEpoch;
        int start = (int)(index % BatchesPerEpoch) * BatchSize;
        using var indices = tensor(EpochOrder(epoch).AsSpan(start, BatchSize).ToArray());
        return (On(trainImages.index_select(0, indices), device), On(trainLabels.index_select(0, indices), device));
    }

    /// <inheritdoc />
    public IEnumerable<(Tensor Inputs, Tensor Targets)> ValidationBatches(Device device)
    {
        for (long start = 0; start < Test.Count; start += EvaluationBatchSize)
        {
            long length = Math.Min(EvaluationBatchSize, Test.Count - start);
            yield return (On(testImages.narrow(0, start, length), device), On(testLabels.narrow(0, start, length), device));
        }
    }

    /// <summary>The order in which epoch <paramref name="epoch"/> (from 0) visits the training images (a copy).</summary>
    public long[] Order(long epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        return [.. EpochOrder(epoch)];
    }

    // The last epoch's order is kept: every batch of an epoch reads it.
    private long[] EpochOrder(long epoch)
    {
        if (epoch == cachedEpoch) return order;
        var random = new Random(SeedMixer.Mix(seed, epoch, 0x1A6E));
        var next = new long[Train.Count];
        for (int i = 0; i < next.Length; i++) next[i] = i;
        random.Shuffle(next);
        (order, cachedEpoch) = (next, epoch);
        return order;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        trainImages.Dispose();
        trainLabels.Dispose();
        testImages.Dispose();
        testLabels.Dispose();
    }

    // A tensor already on the device is returned as it is; otherwise it is moved and the original freed.
    private static Tensor On(Tensor t, Device device)
    {
        if (t.device_type == device.type && (device.index < 0 || t.device_index == device.index)) return t;
        var moved = t.to(device);
        t.Dispose();
        return moved;
    }

    private static (double Mean, double Std) PixelStatistics(LabelledImages images)
    {
        double sum = 0, squares = 0;
        foreach (byte pixel in images.Pixels)
        {
            double x = pixel / 255.0;
            sum += x;
            squares += x * x;
        }
        long n = images.Pixels.Length;
        double mean = sum / n;
        double std = Math.Sqrt(Math.Max(squares / n - mean * mean, 0));
        return (mean, std > 0 ? std : 1.0);
    }

    private Tensor Normalised(LabelledImages images)
    {
        using var scope = NewDisposeScope();
        var pixels = tensor(images.Pixels.ToArray(), [images.Count, 1, images.Rows, images.Columns]);
        return pixels.to(ScalarType.Float32).div_(255.0).sub_(Mean).div_(Std).MoveToOuterDisposeScope();
    }

    private static Tensor Labels(LabelledImages images)
    {
        using var scope = NewDisposeScope();
        return tensor(images.Labels.ToArray()).to(ScalarType.Int64).MoveToOuterDisposeScope();
    }
}
