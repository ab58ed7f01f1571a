using static TorchSharp.torch;

namespace SparseDsl;

/// <summary>Autoregressive sampling from a model that maps <c>[1, time]</c> token ids to <c>[1, time, vocab]</c> logits.</summary>
public static class NextTokenSampler
{
    /// <summary>
    /// Appends <paramref name="length"/> sampled tokens to <paramref name="prompt"/>, feeding the model at most the last
    /// <paramref name="context"/> tokens, with temperature and top-k from <paramref name="settings"/>. The model is
    /// put in eval mode and run without gradients; its training mode is restored afterwards.
    /// </summary>
    /// <returns>The prompt followed by the sampled tokens.</returns>
    public static long[] Sample(nn.Module<Tensor, Tensor> model, IReadOnlyList<long> prompt, int length, int context, SamplingSettings settings, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(context);
        if (prompt.Count == 0) throw new ArgumentException("The prompt must hold at least one token.", nameof(prompt));
        settings.Validate();
        device ??= CPU;

        var tokens = new List<long>(prompt);
        bool wasTraining = model.training;
        model.eval();
        // A generator of its own, on the CPU: sampling neither consumes nor depends on the global RNG that training uses.
        using var generator = new Generator((ulong)settings.Seed, CPU);
        try
        {
            using var _ = no_grad();
            for (int i = 0; i < length; i++)
            {
                using var scope = NewDisposeScope();
                var window = tokens.Skip(Math.Max(0, tokens.Count - context)).ToArray();
                var logits = model.call(tensor(window, [1, window.Length], device: device))[0, -1].to(float32).cpu() / settings.Temperature;
                if (settings.TopK is { } k && k < logits.shape[0])
                {
                    var kth = logits.topk(k).values[-1];
                    logits = logits.masked_fill(logits.lt(kth), double.NegativeInfinity);
                }
                var probabilities = nn.functional.softmax(logits, 0);
                tokens.Add(multinomial(probabilities, 1, generator: generator).item<long>());
            }
            return tokens.ToArray();
        }
        finally
        {
            model.train(wasTraining);
        }
    }
}
