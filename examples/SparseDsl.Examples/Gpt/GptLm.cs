using SparseDsl;
using static TorchSharp.torch;

namespace SparseDsl.Examples.Gpt;

/// <summary>
/// The paper's model family at CPU scale: a GPT-style byte-level LM (256-symbol vocabulary) with ALiBi attention and
/// SwiGLU MLPs in pre-norm blocks, every projection sparse, and the readout <b>tied</b> to the embedding (the form of
/// Table 1: logits = α_output · h W_embᵀ / m_d). Base width 256, as in the paper.
/// </summary>
[Width(Base = 256)]
public sealed partial class GptLm : ILanguageModel
{
    /// <summary>Byte embedding, 256 → width, × α_input.</summary>
    [Embedding(Vocab = 256)]
    public partial ScaledEmbedding Embed { get; }

    /// <summary>The transformer layers (depth 2 unless <see cref="ModelOptions.Depth"/> says otherwise; base depth 2, so m_L = depth / 2 under a depth rule).</summary>
    [Repeat(Depth = 2, BaseDepth = 2)]
    public partial TorchSharp.Modules.ModuleList<TransformerBlock> Blocks { get; }

    /// <inheritdoc />
    public IReadOnlyList<ITransformerLayer> Layers => [.. Blocks];

    /// <summary>The final LayerNorm.</summary>
    [Norm]
    public partial ScaledNorm FinalNorm { get; }

    /// <summary>Next-byte logits, tied to <see cref="Embed"/>.</summary>
    [Readout(Out = "256", TiedTo = nameof(Embed))]
    public partial ScaledLinear LmHead { get; }

    /// <summary>Maps <c>[batch, time]</c> byte ids to <c>[batch, time, 256]</c> logits.</summary>
    public override Tensor forward(Tensor ids) => LanguageModel.Forward(ids, Embed, Blocks, FinalNorm, LmHead);
}
