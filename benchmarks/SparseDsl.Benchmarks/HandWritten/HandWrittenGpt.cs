using SparseDsl.Experiments.Gpt;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SparseDsl.Benchmarks.HandWritten;

/// <summary>
/// The example LM as an expert would write it in plain TorchSharp, without SparseDsl: raw parameters, masks and
/// SμPar constants as fields, one straight-line forward. Built from a generated <see cref="GptLm"/> so that both start
/// from the same weights, masks and multipliers; it shares no tensor with it.
/// </summary>
public sealed class HandWrittenGpt : Module<Tensor, Tensor>
{
    private readonly Parameter embed;
    private readonly double embedMultiplier, readoutMultiplier;
    private readonly Parameter finalNorm;
    private readonly ModuleList<HandWrittenBlock> blocks;
    private readonly long width;

    /// <summary>Copies <paramref name="source"/>'s weights, masks and constants.</summary>
    public HandWrittenGpt(GptLm source) : base(nameof(HandWrittenGpt))
    {
        using var _ = no_grad();
        width = source.Plan.Width;
        embed = new Parameter(source.Embed.Weight.detach().clone());
        embedMultiplier = source.Embed.ForwardMultiplier;
        readoutMultiplier = source.LmHead.ForwardMultiplier;
        finalNorm = new Parameter(source.FinalNorm.Weight.detach().clone());
        blocks = new ModuleList<HandWrittenBlock>([.. source.Blocks.Select((b, i) => new HandWrittenBlock($"block{i}", b))]);
        RegisterComponents();
    }

    /// <summary>Every parameter with the Adam LR multiplier SμPar gives it, in the generated model's group order.</summary>
    public IEnumerable<(Parameter Parameter, double LearningRateMultiplier, bool Decay)> Groups(GptLm source)
    {
        var rates = source.ScaledParameters().ToDictionary(p => p.Name, p => (p.Scaling.LearningRateMultiplier, p.Scaling.WeightDecay));
        yield return (embed, rates["embed.weight"].LearningRateMultiplier, rates["embed.weight"].WeightDecay);
        yield return (finalNorm, rates["final_norm.weight"].LearningRateMultiplier, rates["final_norm.weight"].WeightDecay);
        for (int i = 0; i < blocks.Count; i++)
            foreach (var (name, parameter) in blocks[i].Named())
                yield return (parameter, rates[$"blocks.{i}.{name}"].LearningRateMultiplier, rates[$"blocks.{i}.{name}"].WeightDecay);
    }

    /// <summary>Token ids <c>[batch, time]</c> to logits <c>[batch, time, 256]</c>.</summary>
    public override Tensor forward(Tensor ids)
    {
        using var scope = NewDisposeScope();
        var h = embed.index_select(0, ids.reshape(-1)).reshape(ids.shape[0], ids.shape[1], width).mul_(embedMultiplier);
        foreach (var block in blocks) h = block.call(h);
        h = functional.layer_norm(h, [width], finalNorm, null, 1e-5);
        return functional.linear(h, embed).mul_(readoutMultiplier).MoveToOuterDisposeScope();
    }
}
