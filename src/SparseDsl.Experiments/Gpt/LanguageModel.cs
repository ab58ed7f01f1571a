using SparseDsl;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SparseDsl.Experiments.Gpt;

/// <summary>What the trainer, the coordinate check and the sweep need of every LM in <see cref="LanguageModels"/>.</summary>
public interface ILanguageModel : IScaledModel
{
    /// <summary>The transformer layers, in order, whatever block type the model declares them with.</summary>
    IReadOnlyList<ITransformerLayer> Layers { get; }
}

/// <summary>
/// One transformer layer as the coordinate check sees it: an attention sub-block and an MLP sub-block whose outputs it
/// records. The GPT's <see cref="TransformerBlock"/> and the Llama's block both implement it.
/// </summary>
public interface ITransformerLayer
{
    /// <summary>The attention sub-block (its output is what is added to the residual stream).</summary>
    nn.Module<Tensor, Tensor> Attention { get; }

    /// <summary>The MLP sub-block.</summary>
    nn.Module<Tensor, Tensor> Mlp { get; }
}

/// <summary>The forward pass the LMs share (the CLI chooses between them in <see cref="LanguageModels"/>).</summary>
public static class LanguageModel
{
    /// <summary>The default vocabulary, bytes (<c>[Width(Vocab = 256)]</c> on every LM); <see cref="ModelOptions.Vocabulary"/> sets another.</summary>
    public const int Vocab = 256;

    /// <summary>Embed, run the blocks, normalise, read out.</summary>
    public static Tensor Forward<TBlock>(Tensor ids, ScaledEmbedding embed, ModuleList<TBlock> blocks, ScaledNorm finalNorm, ScaledLinear readout)
        where TBlock : nn.Module<Tensor, Tensor>
    {
        using var scope = NewDisposeScope();
        var h = embed.call(ids);
        foreach (var block in blocks) h = BlockRecompute.Call(block, h);
        return readout.call(finalNorm.call(h)).MoveToOuterDisposeScope();
    }
}
