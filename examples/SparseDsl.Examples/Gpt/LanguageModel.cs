using SparseDsl;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SparseDsl.Examples.Gpt;

/// <summary>What the trainer and the coordinate check need of either LM variant.</summary>
public interface ILanguageModel : IScaledModel
{
    /// <summary>The transformer layers.</summary>
    ModuleList<TransformerBlock> Blocks { get; }
}

/// <summary>The forward pass both LM variants share (the CLI chooses between them in <see cref="LanguageModels"/>).</summary>
public static class LanguageModel
{
    /// <summary>Vocabulary: bytes.</summary>
    public const int Vocab = 256;

    /// <summary>Embed, run the blocks, normalise, read out.</summary>
    public static Tensor Forward(Tensor ids, ScaledEmbedding embed, ModuleList<TransformerBlock> blocks, ScaledNorm finalNorm, ScaledLinear readout)
    {
        using var scope = NewDisposeScope();
        var h = embed.call(ids);
        foreach (var block in blocks) h = block.call(h);
        return readout.call(finalNorm.call(h)).MoveToOuterDisposeScope();
    }
}
