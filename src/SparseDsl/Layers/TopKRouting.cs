using static TorchSharp.torch;

namespace SparseDsl;

/// <summary>Which experts each token goes to, and with what weight.</summary>
/// <param name="Probabilities">Softmax of the router logits over all experts, <c>[tokens, E]</c>.</param>
/// <param name="Weights">The chosen experts' probabilities renormalised to sum to 1 per token, <c>[tokens, k]</c>.</param>
/// <param name="Experts">The chosen experts, most probable first, <c>[tokens, k]</c> (int64).</param>
public sealed record RoutingDecision(Tensor Probabilities, Tensor Weights, Tensor Experts);

/// <summary>Top-k routing with renormalised weights: the rule every <see cref="ExpertBank{TBlock}"/> uses.</summary>
public static class TopKRouting
{
    /// <summary>
    /// Routes each row of <paramref name="logits"/> (<c>[tokens, E]</c>) to its <paramref name="k"/> most probable
    /// experts. Renormalising makes the bank's output a convex combination of expert outputs, whose size does not
    /// depend on E or k (docs/moe.md). Ties go to the lower expert index.
    /// </summary>
    public static RoutingDecision Route(Tensor logits, int k)
    {
        ArgumentNullException.ThrowIfNull(logits);
        if (logits.dim() != 2) throw new ArgumentException($"Router logits must be [tokens, experts], not [{string.Join(", ", logits.shape)}].", nameof(logits));
        if (k < 1 || k > logits.shape[1]) throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be between 1 and the {logits.shape[1]} experts.");
        var probabilities = nn.functional.softmax(logits, 1);
        var (top, experts) = probabilities.topk(k, dim: 1);
        var weights = top / top.sum(1, keepdim: true);
        top.Dispose();
        return new RoutingDecision(probabilities, weights, experts);
    }
}
