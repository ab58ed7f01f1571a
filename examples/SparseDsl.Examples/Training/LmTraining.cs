using static TorchSharp.torch;

namespace SparseDsl.Examples.Training;

/// <summary>One bare AdamW step, for the coordinate check (which needs a constant LR and no clipping, unlike <see cref="Trainer{TModel}"/>).</summary>
public static class LmTraining
{
    /// <summary>
    /// One AdamW step on next-byte cross-entropy at <paramref name="learningRateFactor"/> × each group's SμPar LR.
    /// Returns the loss as a 0-d tensor (still on the device, so callers sync only when they print it).
    /// </summary>
    public static Tensor Step(nn.Module<Tensor, Tensor> model, TorchSharp.Modules.AdamW optimizer, Tensor inputs, Tensor targets, double learningRateFactor)
    {
        LearningRateSchedule.Apply(optimizer, learningRateFactor);
        using var logits = model.call(inputs);
        var loss = LanguageModelLoss.NextToken(logits, targets);
        Gradients.Zero(optimizer);
        loss.backward();
        optimizer.step();
        return loss.detach();
    }
}
