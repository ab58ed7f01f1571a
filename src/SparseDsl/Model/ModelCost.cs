namespace SparseDsl;

/// <summary>
/// The matmul work of a <see cref="ModelPlan"/>, counted in one place for every caller (throughput in FLOP/s, the
/// share of the work SAT can shrink, a sweep's cost statement): multiply–accumulates (MACs) per token of one forward
/// pass. A linear-like layer costs <c>InFeatures × OutFeatures</c>, counted dense even when masked (the product is
/// computed dense) and once for a tied readout (it is a matmul of its own). An attention layer costs
/// <c>2 · keys · dimension</c> for QKᵀ and AV, where <c>keys</c> is how many keys and values a token reads on average:
/// the whole context for bidirectional attention, and <c>(context + 1) / 2</c> for causal attention (position t, from 0,
/// reads t + 1), about half. That is the work the model needs (the convention of FlashAttention's and most MFU
/// figures), whether or not a kernel skips the masked half: SDPA's causal path can, while the ALiBi path adds a bias to
/// a dense product, so there FLOP/s made from this count is useful work, below what the hardware ran. A layer inside an expert bank counts k/E of its work (<see cref="LayerPlan.ActiveFraction"/>): the
/// active, not the total, parameters do work per token. Embedding lookups, norms, biases and element-wise work are left out: they are small beside the matmuls.
/// </summary>
public static class ModelCost
{
    /// <summary>
    /// Training FLOPs per forward MAC: 2 in the forward pass (a multiply and an add) and 4 in the backward pass (the
    /// gradients of both operands).
    /// </summary>
    public const double TrainingFlopsPerMultiplyAccumulate = 6;

    /// <summary>The MACs per token of every layer that does matmul work, in the plan's layer order.</summary>
    /// <param name="plan">The model at its width and sparsity.</param>
    /// <param name="context">Tokens per sequence: each token's attention reads this many keys and values.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="context"/> is not positive.</exception>
    public static IReadOnlyList<LayerCost> Layers(ModelPlan plan, int context)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (context <= 0) throw new ArgumentOutOfRangeException(nameof(context), context, "The context must be positive.");
        var costs = new List<LayerCost>();
        foreach (var layer in plan.Layers)
        {
            double macs = layer.Attention is { } attention ? 2.0 * KeysPerToken(attention, context) * layer.InFeatures : layer.Parameters.Sum(MatmulWork);
            macs *= layer.ActiveFraction; // an expert's layer works for the k/E of the tokens routed to it, on average
            if (macs > 0) costs.Add(new LayerCost(layer.Name, macs));
        }
        return costs;
    }

    /// <summary>The MACs per token of one forward pass of the whole model: the sum of <see cref="Layers"/>.</summary>
    /// <param name="plan">The model at its width and sparsity.</param>
    /// <param name="context">Tokens per sequence: each token's attention reads this many keys and values.</param>
    public static double MultiplyAccumulatesPerToken(ModelPlan plan, int context) => Layers(plan, context).Sum(l => l.MultiplyAccumulates);

    /// <summary>Training FLOPs per token (forward and backward): <see cref="TrainingFlopsPerMultiplyAccumulate"/> × <see cref="MultiplyAccumulatesPerToken"/>.</summary>
    /// <param name="plan">The model at its width and sparsity.</param>
    /// <param name="context">Tokens per sequence: each token's attention reads this many keys and values.</param>
    public static double TrainingFlopsPerToken(ModelPlan plan, int context) => TrainingFlopsPerMultiplyAccumulate * MultiplyAccumulatesPerToken(plan, context);

    // Causal: position t (from 0) reads t + 1 keys, (context + 1) / 2 on average; otherwise every position reads all.
    private static double KeysPerToken(AttentionDescription attention, int context) =>
        attention.Causal ? (context + 1) / 2.0 : context;

    // A tensor that each output reads along a fan-in of several inputs is a matmul operand: a linear layer's or a
    // convolution's weight (per output position), a tied readout's table (its own matmul). An embedding's table is read
    // one row per token (fan-in 1), and gains, biases and vector-like tensors do element-wise work only.
    private static double MatmulWork(ParameterPlan tensor) =>
        tensor.FanIn > 1 && tensor.Scaling.Role is ParameterRole.Hidden or ParameterRole.Readout or ParameterRole.Embedding or ParameterRole.Router
            ? tensor.Count
            : 0;
}
