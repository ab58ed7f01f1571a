using System.Text;
using SparseDsl;
using static TorchSharp.torch;

namespace SparseDsl.Examples.Training;

/// <summary>The pieces of LM training the commands share: one AdamW step, validation loss and sampling.</summary>
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
        var loss = NextByteLoss(logits, targets);
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
        return loss.detach();
    }

    /// <summary>Mean cross-entropy of <c>[batch, time, vocab]</c> logits against <c>[batch, time]</c> next bytes.</summary>
    public static Tensor NextByteLoss(Tensor logits, Tensor targets) =>
        nn.functional.cross_entropy(logits.reshape(-1, logits.shape[^1]), targets.reshape(-1));

    /// <summary>Mean next-byte loss over <paramref name="batches"/> fixed-seed batches of <paramref name="text"/> (the full model, no gradients).</summary>
    public static double ValidationLoss(nn.Module<Tensor, Tensor> model, ReadOnlyMemory<byte> text, int batches, int batch, int context, Device device)
    {
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var _ = no_grad();
            var random = new Random(12345);
            double total = 0;
            for (int i = 0; i < batches; i++)
            {
                using var scope = NewDisposeScope();
                var (inputs, targets) = Corpus.Sequences(text, batch, context, random, device);
                total += NextByteLoss(model.call(inputs), targets).item<float>();
            }
            return total / batches;
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    /// <summary>Samples <paramref name="length"/> bytes after <paramref name="prompt"/> at temperature 0.8 with a fixed seed.</summary>
    public static string Sample(nn.Module<Tensor, Tensor> model, string prompt, int length, int context, Device device)
    {
        model.eval();
        using var _ = no_grad();
        var bytes = new List<byte>(Encoding.UTF8.GetBytes(prompt));
        var random = new Random(7);
        for (int i = 0; i < length; i++)
        {
            using var scope = NewDisposeScope();
            var window = bytes.Skip(Math.Max(0, bytes.Count - context)).Select(b => (long)b).ToArray();
            var logits = model.call(tensor(window, [1, window.Length], device: device));
            var probs = nn.functional.softmax(logits[0, -1] / 0.8, 0).cpu().data<float>().ToArray();
            double u = random.NextDouble(), cumulative = 0;
            int next = probs.Length - 1;
            for (int k = 0; k < probs.Length; k++) { cumulative += probs[k]; if (u < cumulative) { next = k; break; } }
            bytes.Add((byte)next);
        }
        return Encoding.UTF8.GetString(bytes.ToArray()).Replace('\n', ' ');
    }
}
