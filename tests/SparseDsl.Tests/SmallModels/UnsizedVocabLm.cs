using static TorchSharp.torch;

namespace SparseDsl.Tests.SmallModels;

/// <summary>An LM that reads "vocab" without a declared default: it can only be built with <see cref="ModelOptions.Vocabulary"/>.</summary>
[Width(Base = 16)]
public sealed partial class UnsizedVocabLm
{
    [Embedding(Rows = "vocab")]
    public partial ScaledEmbedding Embed { get; }

    [Readout(Out = "vocab")]
    public partial ScaledLinear Head { get; }

    /// <summary>Maps <c>[batch, time]</c> ids to <c>[batch, time, vocab]</c> logits.</summary>
    public override Tensor forward(Tensor ids)
    {
        using var scope = NewDisposeScope();
        return Head.call(Embed.call(ids)).MoveToOuterDisposeScope();
    }
}
