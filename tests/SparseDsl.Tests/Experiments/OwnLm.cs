using SparseDsl.Experiments.Gpt;
using static TorchSharp.torch;

namespace SparseDsl.Tests.Experiments;

/// <summary>
/// A user's own LM, declared outside SparseDsl.Experiments the way the README's console example declares one: one
/// layer of the library's <see cref="TransformerBlock"/>, an untied readout, base width 64.
/// </summary>
[Width(Base = 64, Vocab = 256)]
public sealed partial class OwnLm : ILanguageModel
{
    [Embedding(Rows = "vocab")]
    public partial ScaledEmbedding Embed { get; }

    [Repeat(Depth = 1, BaseDepth = 1)]
    public partial TorchSharp.Modules.ModuleList<TransformerBlock> Blocks { get; }

    public IReadOnlyList<ITransformerLayer> Layers => [.. Blocks];

    [Norm]
    public partial ScaledNorm FinalNorm { get; }

    [Readout(Out = "vocab")]
    public partial ScaledLinear LmHead { get; }

    public override Tensor forward(Tensor ids) => LanguageModel.Forward(ids, Embed, Blocks, FinalNorm, LmHead);
}
