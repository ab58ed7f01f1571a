using SparseDsl;
using static TorchSharp.torch;

namespace SparseDsl.Experiments.Gpt;

/// <summary>
/// The paper's model family at CPU scale: a GPT-style LM, byte-level by default (256-symbol vocabulary; <see cref="ModelOptions.Vocabulary"/> sets another, e.g. a BPE tokenizer's) with ALiBi attention and
/// SwiGLU MLPs in pre-norm blocks, every projection sparse, and the readout <b>tied</b> to the embedding (the form of
/// Table 1: logits = α_output · h W_embᵀ / m_d). Base width 256, as in the paper.
/// </summary>
[Width(Base = 256, Vocab = 256)]
public sealed partial class GptLm : ILanguageModel
{
    /// <summary>Token embedding, vocab (256 bytes by default) → width, × α_input.</summary>
    [Embedding(Rows = "vocab")]
    public partial ScaledEmbedding Embed { get; }

    /// <summary>The transformer layers (depth 2 unless <see cref="ModelOptions.Depth"/> says otherwise; base depth 2, so m_L = depth / 2 under a depth rule).</summary>
    [Repeat(Depth = 2, BaseDepth = 2)]
    public partial TorchSharp.Modules.ModuleList<TransformerBlock> Blocks { get; }

    /// <inheritdoc />
    public IReadOnlyList<ITransformerLayer> Layers => [.. Blocks];

    /// <summary>The final LayerNorm.</summary>
    [Norm]
    public partial ScaledNorm FinalNorm { get; }

    /// <summary>Next-token logits, tied to <see cref="Embed"/>.</summary>
    [Readout(Out = "vocab", TiedTo = nameof(Embed))]
    public partial ScaledLinear LmHead { get; }

    /// <summary>Maps <c>[batch, time]</c> token ids to <c>[batch, time, vocab]</c> logits.</summary>
    public override Tensor forward(Tensor ids) => LanguageModel.Forward(ids, Embed, Blocks, FinalNorm, LmHead);
}
