using SparseDsl;
using SparseDsl.Experiments.Gpt;
using static TorchSharp.torch;

namespace SparseDsl.Experiments.Llama;

/// <summary>
/// A Llama-style LM, byte-level by default (256-symbol vocabulary; <see cref="ModelOptions.Vocabulary"/> sets another, e.g. a BPE tokenizer's): RMSNorm, rotary positions, grouped-query attention (4 query heads
/// per key/value head), SwiGLU MLPs, every projection sparse, and an <b>untied</b> readout (microsoft/mup's MuReadout
/// form: its own weight, base LR, forward × α_output / m_d), zero-initialised as μP advises, so every width and
/// parameterization starts at the uniform guess. Base width 256, as the GPT's. Widths must be multiples of 128, so that
/// width/4 holds whole 32-wide key/value heads.
/// </summary>
[Width(Base = 256, Vocab = 256)]
public sealed partial class LlamaLm : ILanguageModel
{
    /// <summary>Token embedding, vocab (256 bytes by default) → width, × α_input.</summary>
    [Embedding(Rows = "vocab")]
    public partial ScaledEmbedding Embed { get; }

    /// <summary>The Llama layers (depth 2 unless <see cref="ModelOptions.Depth"/> says otherwise; base depth 2, so m_L = depth / 2 under a depth rule).</summary>
    [Repeat(Depth = 2, BaseDepth = 2)]
    public partial TorchSharp.Modules.ModuleList<LlamaBlock> Blocks { get; }

    /// <inheritdoc />
    public IReadOnlyList<ITransformerLayer> Layers => [.. Blocks];

    /// <summary>The final RMSNorm.</summary>
    [Norm(Kind = NormKind.RmsNorm)]
    public partial ScaledNorm FinalNorm { get; }

    /// <summary>Next-token logits from the readout's own weight, zero at the start.</summary>
    [Readout(Out = "vocab", ZeroInit = true)]
    public partial ScaledLinear LmHead { get; }

    /// <summary>Maps <c>[batch, time]</c> token ids to <c>[batch, time, vocab]</c> logits.</summary>
    public override Tensor forward(Tensor ids) => LanguageModel.Forward(ids, Embed, Blocks, FinalNorm, LmHead);
}
