using static TorchSharp.torch;

namespace SparseDsl.Data;

/// <summary>
/// Language-model batches over a <see cref="TextCorpus"/> (one token per byte) or a <see cref="TokenFile"/>:
/// <c>[batch, context]</c> token windows at seeded random positions, and the same windows shifted by one token as
/// next-token targets. Each training batch's positions come from (seed, step, micro-step) alone, so runs are
/// reproducible and resumable. A token file of bytes gives the same batches as its text.
/// </summary>
public sealed class NextTokenBatches : ITrainingData
{
    private readonly Part _train;
    private readonly Part _validation;
    private readonly int _batchSize;
    private readonly int _context;
    private readonly long _seed;
    private readonly int _validationBatches;

    /// <summary>Batches of <paramref name="batchSize"/> windows of <paramref name="context"/> bytes.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    /// <exception cref="InvalidDataException">The training or validation part is too short for the context.</exception>
    public NextTokenBatches(TextCorpus corpus, int batchSize, int context, long seed, int validationBatches = 20)
        : this(corpus?.Source!, new BytePart(corpus?.Train!), new BytePart(corpus?.Validation!), "bytes", batchSize, context, seed, validationBatches)
    {
    }

    /// <summary>Batches of <paramref name="batchSize"/> windows of <paramref name="context"/> tokens from a token file.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    /// <exception cref="InvalidDataException">The training or validation part is too short for the context.</exception>
    public NextTokenBatches(TokenFile tokens, int batchSize, int context, long seed, int validationBatches = 20)
        : this(tokens?.Path!, new TokenPart(tokens?.Train!), new TokenPart(tokens?.Validation!), "tokens", batchSize, context, seed, validationBatches)
    {
    }

    private NextTokenBatches(string source, Part train, Part validation, string unit, int batchSize, int context, long seed, int validationBatches)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(context);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(validationBatches);
        foreach (var (name, part) in new[] { ("training", train), ("validation", validation) })
        {
            if (part.Length < 2L * (context + 1))
                throw new InvalidDataException(
                    $"The {name} part of '{source}' has {part.Length:N0} {unit}, too few for windows of {context} {unit}; use a shorter context or more data.");
        }
        _train = train;
        _validation = validation;
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
        return Windows(_train, random, device);
    }

    /// <inheritdoc />
    public IEnumerable<(Tensor Inputs, Tensor Targets)> ValidationBatches(Device device)
    {
        // A seed of its own, unrelated to the training seed: every run is scored on the same windows.
        var random = new Random(SeedMixer.Mix(0x5EED, 0, 0));
        for (int i = 0; i < _validationBatches; i++)
            yield return Windows(_validation, random, device);
    }

    private (Tensor Inputs, Tensor Targets) Windows(Part part, Random random, Device device)
    {
        var inputs = new long[_batchSize * _context];
        var targets = new long[_batchSize * _context];
        long[] buffer = new long[_context + 1];
        for (int b = 0; b < _batchSize; b++)
        {
            long start = random.NextInt64(0, part.Length - _context - 1);
            part.Read(start, buffer);
            for (int k = 0; k < _context; k++)
            {
                inputs[b * _context + k] = buffer[k];
                targets[b * _context + k] = buffer[k + 1];
            }
        }
        return (tensor(inputs, [_batchSize, _context], device: device), tensor(targets, [_batchSize, _context], device: device));
    }

    // Where windows come from: text read as bytes, or a token file's tokens.
    private abstract class Part
    {
        public abstract long Length { get; }

        public abstract void Read(long offset, long[] destination);
    }

    private sealed class BytePart(ByteText text) : Part
    {
        private readonly ByteText _text = text ?? throw new ArgumentNullException(nameof(text));

        public override long Length => _text.Length;

        public override void Read(long offset, long[] destination)
        {
            byte[] bytes = new byte[destination.Length];
            _text.Read(offset, bytes);
            for (int i = 0; i < destination.Length; i++) destination[i] = bytes[i];
        }
    }

    private sealed class TokenPart(TokenRange tokens) : Part
    {
        private readonly TokenRange _tokens = tokens ?? throw new ArgumentNullException(nameof(tokens));

        public override long Length => _tokens.Length;

        public override void Read(long offset, long[] destination) => _tokens.Read(offset, destination);
    }
}
