using SparseDsl;
using static TorchSharp.torch;

namespace SparseDsl.Experiments.Gpt;

/// <summary>
/// <see cref="GptLm"/> with an untied readout (microsoft/mup's MuReadout form: its own N(0, σ²) weight, base LR, forward
/// × α_output / m_d) and a zero-initialised readout weight, a common μP practice.
/// </summary>
[Width(Base = 256, Vocab = 256)]
public sealed partial class GptLmUntied : ILanguageModel
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

    /// <summary>Next-token logits from its own weight, zero at the start.</summary>
    [Readout(Out = "vocab", ZeroInit = true)]
    public partial ScaledLinear LmHead { get; }

    /// <summary>Maps <c>[batch, time]</c> token ids to <c>[batch, time, vocab]</c> logits.</summary>
    public override Tensor forward(Tensor ids) => LanguageModel.Forward(ids, Embed, Blocks, FinalNorm, LmHead);
}
