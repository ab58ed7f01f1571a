using static TorchSharp.torch;

namespace SparseDsl;

/// <summary>Mean cross-entropy and accuracy of a classifier over a set of examples.</summary>
/// <param name="Loss">Mean cross-entropy per example (nats).</param>
/// <param name="Accuracy">Fraction of examples whose largest logit is their label.</param>
/// <param name="Count">Number of examples.</param>
public readonly record struct ClassificationResult(double Loss, double Accuracy, long Count);

/// <summary>
/// The loss and the evaluation of a classifier that maps inputs to logits <c>[batch, classes]</c>, for a
/// <see cref="Trainer{TModel}"/> (pass <see cref="Loss"/> as its loss) or a loop of one's own.
/// </summary>
public static class Classification
{
    /// <summary>Mean cross-entropy of <paramref name="logits"/> <c>[batch, classes]</c> against class indices <paramref name="labels"/> <c>[batch]</c>.</summary>
    public static Tensor Loss(Tensor logits, Tensor labels) => nn.functional.cross_entropy(logits, labels);

    /// <summary>Runs <paramref name="model"/> in eval mode without gradients over <paramref name="batches"/> (disposing them) and sums up.</summary>
    /// <exception cref="ArgumentException">There were no examples.</exception>
    public static ClassificationResult Evaluate(nn.Module<Tensor, Tensor> model, IEnumerable<(Tensor Inputs, Tensor Targets)> batches)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(batches);
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var _ = no_grad();
            double lossSum = 0;
            long correct = 0, count = 0;
            foreach (var (inputs, targets) in batches)
            {
                using var scope = NewDisposeScope();
                using (inputs)
                using (targets)
                {
                    var logits = model.call(inputs);
                    lossSum += nn.functional.cross_entropy(logits, targets, reduction: nn.Reduction.Sum).item<float>();
                    correct += logits.argmax(1).eq(targets).sum().item<long>();
                    count += targets.shape[0];
                }
            }
            if (count == 0) throw new ArgumentException("There were no examples to evaluate.", nameof(batches));
            return new ClassificationResult(lossSum / count, (double)correct / count, count);
        }
        finally
        {
            model.train(wasTraining);
        }
    }
}
