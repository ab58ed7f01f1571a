using static TorchSharp.torch;

namespace SparseDsl;

/// <summary>Computes the per-neuron <see cref="NeuronImportance"/> scores of an MLP's hidden layer, without gradients.</summary>
public static class NeuronImportanceScores
{
    /// <summary>
    /// One score per hidden neuron, float32 on the weights' device. <paramref name="input"/> is the block's input
    /// (<c>[…, in]</c>, every leading dimension a token); <paramref name="expandingWeights"/> are the effective
    /// weights (<c>[hidden, in]</c>, masked entries zero) of the projections that produce the hidden layer.
    /// </summary>
    public static Tensor Compute(NeuronImportance metric, Tensor input, IReadOnlyList<Tensor> expandingWeights)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(expandingWeights);
        if (expandingWeights.Count == 0) throw new ArgumentException("An MLP needs at least one expanding projection.", nameof(expandingWeights));
        var first = expandingWeights[0];
        long features = first.shape[1];
        if (input.shape[^1] != features)
            throw new ArgumentException($"The input has {input.shape[^1]} features but the expanding projection reads {features}.", nameof(input));

        using var _ = no_grad();
        using var scope = NewDisposeScope();
        Tensor scores = metric switch
        {
            NeuronImportance.Uniform => ones(first.shape[0], ScalarType.Float32, first.device),
            NeuronImportance.WeightMagnitude => Product(expandingWeights, w => w.square().sum(dim: 1).sqrt()),
            NeuronImportance.Wanda => Wanda(input.reshape(-1, features), expandingWeights),
            NeuronImportance.ActivationMagnitude => nn.functional.linear(input.reshape(-1, features), first).abs().sum(dim: 0),
            _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "Unknown importance metric."),
        };
        return scores.to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    private static Tensor Wanda(Tensor tokens, IReadOnlyList<Tensor> weights)
    {
        // ‖x_{:, j}‖₂ over the step's tokens, then |W| · that vector: Wanda's |W_ij|·‖X_j‖ summed over a neuron's row.
        var featureNorms = tokens.square().sum(dim: 0).sqrt();
        return Product(weights, w => w.abs().matmul(featureNorms));
    }

    private static Tensor Product(IReadOnlyList<Tensor> weights, Func<Tensor, Tensor> perLayer)
    {
        var result = perLayer(weights[0]);
        for (int i = 1; i < weights.Count; i++) result = result * perLayer(weights[i]);
        return result;
    }
}
