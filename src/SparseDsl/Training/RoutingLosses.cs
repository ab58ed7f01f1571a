using static TorchSharp.torch;

namespace SparseDsl;

/// <summary>The auxiliary losses of a router (docs/moe.md): Switch-style load balancing and the router z-loss.</summary>
public static class RoutingLosses
{
    /// <summary>
    /// <c>E · Σ_e f_e · P_e</c>: <c>f_e</c> is the fraction of the <c>tokens × k</c> routing slots that went to expert e
    /// (from <paramref name="slotsPerExpert"/>, not differentiable), <c>P_e</c> the mean router probability of e over the
    /// tokens (differentiable). 1 when both are uniform, for every k; larger when the router favours the experts it
    /// already overloads.
    /// </summary>
    /// <param name="probabilities">Router probabilities, <c>[tokens, E]</c>.</param>
    /// <param name="slotsPerExpert">How many (token, expert) slots each expert received; they sum to tokens × k.</param>
    public static Tensor Balance(Tensor probabilities, Tensor slotsPerExpert)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentNullException.ThrowIfNull(slotsPerExpert);
        long experts = probabilities.shape[1];
        using var counts = slotsPerExpert.to(ScalarType.Float32);
        using var total = counts.sum();
        using var fractions = counts / total;
        using var meanProbability = probabilities.mean([0]);
        using var product = fractions * meanProbability;
        using var sum = product.sum();
        return sum * experts;
    }

    /// <summary>The router z-loss <c>mean over tokens of (logsumexp_e z)²</c>, which keeps router logits small.</summary>
    /// <param name="logits">Router logits, <c>[tokens, E]</c>.</param>
    public static Tensor ZLoss(Tensor logits)
    {
        ArgumentNullException.ThrowIfNull(logits);
        using var logNormaliser = logits.logsumexp(1);
        using var squared = logNormaliser.square();
        return squared.mean();
    }
}
