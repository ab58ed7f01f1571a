using static TorchSharp.torch;

namespace SparseDsl;

/// <summary>
/// Computes the per-unit <see cref="NeuronImportance"/> scores of a SAT block, without gradients: one per MLP hidden
/// neuron, or one per attention head group (the sum of its rows' scores in each projection).
/// </summary>
public static class NeuronImportanceScores
{
    /// <summary>
    /// One score per hidden neuron, float32 on the weights' device. <paramref name="input"/> is the block's input
    /// (<c>[…, in]</c>, every leading dimension a token); <paramref name="expandingWeights"/> are the effective
    /// weights (<c>[hidden, in]</c>, masked entries zero) of the projections that produce the hidden layer.
    /// </summary>
    public static Tensor Compute(NeuronImportance metric, Tensor input, IReadOnlyList<Tensor> expandingWeights)
    {
        ArgumentNullException.ThrowIfNull(expandingWeights);
        if (expandingWeights.Count == 0) throw new ArgumentException("An MLP needs at least one expanding projection.", nameof(expandingWeights));
        return Compute(metric, input, expandingWeights, expandingWeights[0].shape[0]);
    }

    /// <summary>
    /// One score per unit, float32 on the weights' device, where each of <paramref name="units"/> units owns
    /// <c>rows / units</c> consecutive rows of every expanding weight (an attention head group: its query rows, and its
    /// key and value rows). Each weight's row scores are summed per unit, and the per-unit sums of the weights are
    /// multiplied, as the MLP's per-neuron scores of gate and up are. With one row per unit this is the per-neuron score.
    /// </summary>
    /// <param name="metric">How importance is estimated; <see cref="NeuronImportance.ActivationMagnitude"/> uses the first weight only.</param>
    /// <param name="input">The block's input (<c>[…, in]</c>, every leading dimension a token).</param>
    /// <param name="expandingWeights">Effective weights (<c>[rows, in]</c>, masked entries zero) whose rows belong to the units.</param>
    /// <param name="units">Units; every weight's row count must be a multiple of it.</param>
    public static Tensor Compute(NeuronImportance metric, Tensor input, IReadOnlyList<Tensor> expandingWeights, long units)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(expandingWeights);
        if (expandingWeights.Count == 0) throw new ArgumentException("A SAT block needs at least one expanding projection.", nameof(expandingWeights));
        if (units < 1) throw new ArgumentOutOfRangeException(nameof(units), units, "At least one unit.");
        var first = expandingWeights[0];
        long features = first.shape[1];
        if (input.shape[^1] != features)
            throw new ArgumentException($"The input has {input.shape[^1]} features but the expanding projection reads {features}.", nameof(input));
        foreach (var w in expandingWeights)
        {
            if (w.shape[1] != features) throw new ArgumentException($"The expanding projections read different inputs ({features} and {w.shape[1]} features).", nameof(expandingWeights));
            if (w.shape[0] % units != 0) throw new ArgumentException($"A weight of {w.shape[0]} rows is not a whole number of rows per each of {units} units.", nameof(expandingWeights));
        }

        using var _ = no_grad();
        using var scope = NewDisposeScope();
        Tensor scores = metric switch
        {
            NeuronImportance.Uniform => ones(units, ScalarType.Float32, first.device),
            NeuronImportance.WeightMagnitude => Product(expandingWeights, units, w => w.square().sum(dim: 1).sqrt()),
            NeuronImportance.Wanda => Wanda(input.reshape(-1, features), expandingWeights, units),
            NeuronImportance.ActivationMagnitude => PerUnit(nn.functional.linear(input.reshape(-1, features), first).abs().sum(dim: 0), units),
            _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "Unknown importance metric."),
        };
        return scores.to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    private static Tensor Wanda(Tensor tokens, IReadOnlyList<Tensor> weights, long units)
    {
        // ‖x_{:, j}‖₂ over the step's tokens, then |W| · that vector: Wanda's |W_ij|·‖X_j‖ summed over a neuron's row.
        var featureNorms = tokens.square().sum(dim: 0).sqrt();
        return Product(weights, units, w => w.abs().matmul(featureNorms));
    }

    private static Tensor Product(IReadOnlyList<Tensor> weights, long units, Func<Tensor, Tensor> perRow)
    {
        var result = PerUnit(perRow(weights[0]), units);
        for (int i = 1; i < weights.Count; i++) result = result * PerUnit(perRow(weights[i]), units);
        return result;
    }

    // A unit's rows are consecutive; with one row per unit the row scores are the unit scores, untouched.
    private static Tensor PerUnit(Tensor rowScores, long units) =>
        rowScores.shape[0] == units ? rowScores : rowScores.reshape(units, -1).sum(dim: 1);
}
