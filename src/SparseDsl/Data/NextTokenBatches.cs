using static TorchSharp.torch;

namespace SparseDsl.Data;

/// <summary>
/// Language-model batches over a <see cref="TextCorpus"/>: <c>[batch, context]</c> byte windows at seeded random
/// positions, and the same windows shifted by one byte as next-token targets. Each training batch's positions
/// come from (seed, step, micro-step) alone, so runs are reproducible and resumable.
/// </summary>
public sealed class NextTokenBatches : ITrainingData
{
    private readonly TextCorpus _corpus;
    private readonly int _batchSize;
    private readonly int _context;
    private readonly long _seed;
    private readonly int _validationBatches;

    /// <summary>Batches of <paramref name="batchSize"/> windows of <paramref name="context"/> bytes.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    /// <exception cref="InvalidDataException">The training or validation part is too short for the context.</exception>
    public NextTokenBatches(TextCorpus corpus, int batchSize, int context, long seed, int validationBatches = 20)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(context);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(validationBatches);
        foreach (var (part, text) in new[] { ("training", corpus.Train), ("validation", corpus.Validation) })
        {
            if (text.Length < 2L * (context + 1))
                throw new InvalidDataException(
                    $"The {part} part of '{corpus.Source}' has {text.Length:N0} bytes, too few for windows of {context} bytes; use a shorter context or more data.");
        }
        _corpus = corpus;
        _batchSize = batchSize;
        _context = context;
        _seed = seed;
        _validationBatches = validationBatches;
    }

    /// <inheritdoc />
    public long TokensPerBatch => (long)_batchSize * _context;

    /// <inheritdoc />
    public (Tensor Inputs, Tensor Targets) TrainingBatch(long step, int microStep, Device device)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(step);
        ArgumentOutOfRangeException.ThrowIfNegative(microStep);
        var random = new Random(SeedMixer.Mix(_seed, step, microStep));
        return Windows(_corpus.Train, random, device);
    }

    /// <inheritdoc />
    public IEnumerable<(Tensor Inputs, Tensor Targets)> ValidationBatches(Device device)
    {
        // A seed of its own, unrelated to the training seed: every run is scored on the same windows.
        var random = new Random(SeedMixer.Mix(0x5EED, 0, 0));
        for (int i = 0; i < _validationBatches; i++)
            yield return Windows(_corpus.Validation, random, device);
    }

    private (Tensor Inputs, Tensor Targets) Windows(ByteText text, Random random, Device device)
    {
        var inputs = new long[_batchSize * _context];
        var targets = new long[_batchSize * _context];
        byte[] buffer = new byte[_context + 1];
        for (int b = 0; b < _batchSize; b++)
        {
            long start = random.NextInt64(0, text.Length - _context - 1);
            text.Read(start, buffer);
            for (int k = 0; k < _context; k++)
            {
                inputs[b * _context + k] = buffer[k];
                targets[b * _context + k] = buffer[k + 1];
            }
        }
        return (tensor(inputs, [_batchSize, _context], device: device), tensor(targets, [_batchSize, _context], device: device));
    }
}
