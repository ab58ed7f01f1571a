using static TorchSharp.torch;

namespace SparseDsl;

/// <summary>Splits an MLP's hidden neurons into kept and omitted sets from their importance scores.</summary>
public static class NeuronSelector
{
    /// <summary>
    /// The <paramref name="keep"/> kept neurons and the rest, each as ascending int64 indices on the scores' device
    /// (ascending so gathered weight slices keep their order). With <see cref="NeuronSelection.Sample"/>, or when the
    /// scores are all equal (<see cref="NeuronImportance.Uniform"/>), the choice is random, drawn from
    /// <paramref name="generator"/> on the CPU so every device draws the same neurons.
    /// </summary>
    public static (Tensor Kept, Tensor Omitted) Split(Tensor scores, long keep, NeuronSelection selection, Generator generator, bool random = false)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(generator);
        long neurons = scores.shape[0];
        if (keep < 1 || keep > neurons) throw new ArgumentOutOfRangeException(nameof(keep), keep, $"Keep between 1 and {neurons} neurons.");
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var keys = selection == NeuronSelection.Sample || random ? GumbelKeys(scores, generator) : scores;
        var order = keys.argsort(descending: true);
        var kept = order.narrow(0, 0, keep).sort().Values;
        var omitted = order.narrow(0, keep, neurons - keep).sort().Values;
        return (kept.MoveToOuterDisposeScope(), omitted.MoveToOuterDisposeScope());
    }

    // Gumbel-top-k: the k largest log(s_i) + G_i are a draw of k items without replacement with P ∝ s_i.
    private static Tensor GumbelKeys(Tensor scores, Generator generator)
    {
        var uniform = rand(scores.shape[0], ScalarType.Float32, CPU, generator: generator).clamp_(1e-12, 1 - 1e-7);
        var gumbel = uniform.log().neg_().log().neg_().to(scores.device);
        return scores.clamp_min(1e-30).log() + gumbel;
    }
}
