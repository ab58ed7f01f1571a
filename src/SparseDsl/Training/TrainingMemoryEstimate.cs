using System.Globalization;

namespace SparseDsl;

/// <summary>
/// What a training run of a planned model needs in memory, from its plan and batch shape, in float32 bytes:
/// parameters, gradients, AdamW's two moments, masks, and the activations one micro-batch keeps for backward
/// (every layer's output, norms' statistics, attention's batch × heads × context² scores, the readout's logits; under
/// <see cref="ModelOptions.RecomputeBlocks"/>, each [Repeat] block's input and one block's activations at a time).
/// It is an estimate of the working set, not of the allocator's overhead or of libtorch's own code and caches
/// (about 200 MiB on CPU); the CLI refuses a run whose estimate exceeds the machine's memory before writing anything.
/// </summary>
/// <param name="ParameterBytes">Trainable parameters (a tied readout's table counted once).</param>
/// <param name="GradientBytes">One gradient per parameter.</param>
/// <param name="OptimizerBytes">AdamW's first and second moments.</param>
/// <param name="MaskBytes">Static sparsity masks (float32, one element per masked weight) and the masked-weight product of each step; for layers stored sparse, their int32 pattern indices instead.</param>
/// <param name="ActivationBytes">Layer outputs and norm statistics kept for backward, and their gradients during it.</param>
/// <param name="AttentionBytes">Attention scores and probabilities (batch × heads × context² per attention layer) and their gradients.</param>
public sealed record TrainingMemoryEstimate(long ParameterBytes, long GradientBytes, long OptimizerBytes, long MaskBytes, long ActivationBytes, long AttentionBytes)
{
    private const long Float = sizeof(float);

    // Forward values kept for backward plus the gradient of each during backward: about two copies of every output.
    private const long ActivationCopies = 2;

    // Scores, softmax probabilities (kept) and the gradient of each: three context² tensors per head.
    private const long AttentionCopies = 3;

    // Logits, log-softmax (kept by cross-entropy) and their gradient.
    private const long LogitCopies = 3;

    /// <summary>The sum of every part.</summary>
    public long TotalBytes => ParameterBytes + GradientBytes + OptimizerBytes + MaskBytes + ActivationBytes + AttentionBytes;

    /// <summary>Estimates a run of <paramref name="plan"/> on micro-batches of <paramref name="batch"/> sequences of <paramref name="context"/> positions.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The batch or context is not positive.</exception>
    public static TrainingMemoryEstimate For(ModelPlan plan, long batch, long context) => For(plan, batch, context, TorchSharp.DeviceType.CPU);

    /// <summary>
    /// As <see cref="For(ModelPlan, long, long)"/> for a run on a device of type <paramref name="device"/>: layers that
    /// <see cref="SparseDispatch"/> stores sparse there count their kept values and int32 indices, not a dense weight and mask.
    /// </summary>
    public static TrainingMemoryEstimate For(ModelPlan plan, long batch, long context, TorchSharp.DeviceType device)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batch);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(context);
        // In doubles, clamped: an absurd context must give an absurd estimate, never an overflow or a wrapped number.
        double positions = (double)batch * context;
        double parameters = 0, masks = 0, activations = 0, attention = 0;
        // Under RecomputeBlocks a [Repeat] stack's block keeps only its input; its activations exist for one block at a time.
        var recomputed = new Dictionary<string, (double Activations, double Attention)>(StringComparer.Ordinal);
        foreach (var layer in plan.Layers)
        {
            bool sparse = SparseDispatch.Decide(layer, device).IsSparse;
            foreach (var p in layer.Parameters.Where(p => p.TiedTo is null))
            {
                if (sparse && p.Name == "weight")
                {
                    // Only the kept values are stored; int32 columns, transposed columns and slots, and both row starts
                    // (of the [out, rest] matrix: a convolution's weight is stored flattened).
                    double kept = Math.Round(p.Density * p.Count);
                    parameters += kept;
                    masks += 3 * kept + p.Shape[0] + p.Count / p.Shape[0] + 2;
                    continue;
                }
                parameters += p.Count;
                if (p.IsMasked) masks += 2 * (double)p.Count; // the mask, and W ⊙ M kept for backward
            }
            double layerAttention = layer.Attention is { } a ? AttentionCopies * batch * a.Heads * (double)context * context : 0;
            double copies = layer.Weight?.Role == ParameterRole.Readout ? LogitCopies
                : layer.Weight?.Role == ParameterRole.Norm ? ActivationCopies * (layer.OutFeatures + 1.0) / layer.OutFeatures
                : ActivationCopies;
            double layerActivations = copies * positions * layer.OutFeatures;
            if (plan.Options.RecomputeBlocks && RecomputedBlock(plan, layer.Name) is { } block)
            {
                var sums = recomputed.GetValueOrDefault(block);
                recomputed[block] = (sums.Activations + layerActivations, sums.Attention + layerAttention);
                continue;
            }
            activations += layerActivations;
            attention += layerAttention;
        }
        if (recomputed.Count > 0)
        {
            // Every block's saved input, plus the largest block's activations while the backward pass recomputes it.
            activations += recomputed.Count * positions * plan.Width + recomputed.Values.Max(b => b.Activations);
            attention += recomputed.Values.Max(b => b.Attention);
        }
        return new TrainingMemoryEstimate(Bytes(parameters), Bytes(parameters), Bytes(2 * parameters), Bytes(masks), Bytes(activations), Bytes(attention));
    }

    // The block of the outermost [Repeat] stack that holds the layer ("blocks.3."), or null outside every stack.
    private static string? RecomputedBlock(ModelPlan plan, string layer)
    {
        foreach (var stack in plan.Stacks.OrderBy(s => s.Name.Length))
        {
            string prefix = stack.Name + ".";
            if (!layer.StartsWith(prefix, StringComparison.Ordinal)) continue;
            int dot = layer.IndexOf('.', prefix.Length);
            return dot < 0 ? null : layer[..(dot + 1)];
        }
        return null;
    }

    // Float32 elements to bytes, clamped so that the total of six parts cannot overflow.
    private static long Bytes(double elements) => (long)Math.Min(elements * Float, long.MaxValue / 8.0);

    /// <summary>
    /// The memory this process may use: the container's limit where there is one, else the machine's physical memory
    /// (what the .NET GC reads, <see cref="GCMemoryInfo.TotalAvailableMemoryBytes"/>).
    /// </summary>
    public static long MachineBytes() => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>
    /// Throws <see cref="InsufficientMemoryForRunException"/> when <paramref name="concurrentRuns"/> runs of this size
    /// exceed <paramref name="availableBytes"/>.
    /// </summary>
    public void EnsureFits(long availableBytes, int concurrentRuns = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(concurrentRuns);
        if ((double)TotalBytes * concurrentRuns > availableBytes) throw new InsufficientMemoryForRunException(this, availableBytes, concurrentRuns);
    }

    /// <summary>One line: the total and its parts, in MiB or GiB.</summary>
    public override string ToString() =>
        $"{Size(TotalBytes)} (parameters {Size(ParameterBytes)}, gradients {Size(GradientBytes)}, AdamW {Size(OptimizerBytes)}, " +
        $"masks {Size(MaskBytes)}, activations {Size(ActivationBytes)}, attention {Size(AttentionBytes)})";

    /// <summary>A byte count in MiB below 1 GiB and in GiB above.</summary>
    public static string Size(long bytes) => bytes < 1L << 30
        ? string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0:N1} MiB")
        : string.Create(CultureInfo.InvariantCulture, $"{bytes / 1073741824.0:N1} GiB");
}

/// <summary>A run whose estimated memory exceeds what the machine has; thrown before anything is allocated or written.</summary>
public sealed class InsufficientMemoryForRunException(TrainingMemoryEstimate estimate, long availableBytes, int concurrentRuns = 1)
    : InvalidOperationException(
        (concurrentRuns == 1 ? $"This run needs about {estimate}" : $"{concurrentRuns} parallel runs need about {concurrentRuns} × {estimate}") +
        $", but the machine has {TrainingMemoryEstimate.Size(availableBytes)}; reduce the batch, the context, the width or the depth.")
{
    /// <summary>The estimate that did not fit.</summary>
    public TrainingMemoryEstimate Estimate { get; } = estimate;

    /// <summary>The memory there was.</summary>
    public long AvailableBytes { get; } = availableBytes;
}
