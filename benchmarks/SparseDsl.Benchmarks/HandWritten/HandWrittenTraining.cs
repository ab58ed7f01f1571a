using SparseDsl.Experiments.Gpt;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SparseDsl.Benchmarks.HandWritten;

/// <summary>The training loop an expert writes by hand for <see cref="HandWrittenGpt"/>: the same work as the generated trainer's step.</summary>
public sealed class HandWrittenTraining : IDisposable
{
    private readonly Parameter[] _parameters;

    /// <summary>AdamW with <paramref name="source"/>'s SμPar group LRs and decay, over <paramref name="model"/>'s own parameters.</summary>
    public HandWrittenTraining(HandWrittenGpt model, GptLm source, AdamWSettings settings)
    {
        Model = model;
        var groups = model.Groups(source).ToList();
        _parameters = [.. groups.Select(g => g.Parameter)];
        Optimizer = optim.AdamW(
            groups.GroupBy(g => (g.LearningRateMultiplier, g.Decay)).Select(g => new AdamW.ParamGroup(
                g.Select(x => x.Parameter), settings.LearningRate * g.Key.LearningRateMultiplier, settings.Beta1, settings.Beta2, settings.Epsilon,
                g.Key.Decay ? settings.WeightDecay : 0)),
            settings.LearningRate, settings.Beta1, settings.Beta2, settings.Epsilon, settings.WeightDecay);
    }

    /// <summary>The model being trained.</summary>
    public HandWrittenGpt Model { get; }

    /// <summary>Its optimizer.</summary>
    public AdamW Optimizer { get; }

    /// <summary>One step: forward, next-token loss, backward, clip to 1, AdamW; returns the loss.</summary>
    public float Step(Tensor inputs, Tensor targets)
    {
        Model.train();
        Optimizer.zero_grad();
        float loss;
        using (NewDisposeScope())
        {
            var logits = Model.call(inputs);
            var value = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[^1]), targets.reshape(-1));
            value.backward();
            loss = value.item<float>();
        }
        nn.utils.clip_grad_norm_(_parameters, 1.0);
        Optimizer.step();
        return loss;
    }

    /// <inheritdoc />
    public void Dispose() => Optimizer.Dispose();
}
