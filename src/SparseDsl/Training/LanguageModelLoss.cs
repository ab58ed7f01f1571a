using static TorchSharp.torch;

namespace SparseDsl;

/// <summary>The loss every language-model trainer and evaluation here uses.</summary>
public static class LanguageModelLoss
{
    /// <summary>Mean cross-entropy of <c>[..., vocab]</c> logits against next-token targets of the same leading shape.</summary>
    public static Tensor NextToken(Tensor logits, Tensor targets) =>
        nn.functional.cross_entropy(logits.reshape(-1, logits.shape[^1]), targets.reshape(-1));
}
