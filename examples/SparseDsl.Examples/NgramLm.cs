using SparseDsl;
using TorchSharp;
using static TorchSharp.torch;

namespace SparseDsl.Examples;

/// <summary>
/// A byte-level n-gram language model (Bengio et al. 2003 style): the last <see cref="Context"/> bytes are
/// embedded, mixed by a sparse layer, passed through a sparse residual MLP layer and read out over 256 bytes.
/// Every hidden projection is sparse; SμPar keeps its hyperparameters valid across width and sparsity.
/// </summary>
[Width(Base = 256)]
public sealed partial class NgramLm
{
    /// <summary>How many previous bytes the model sees.</summary>
    public const int Context = 8;

    /// <summary>Byte embedding: 256 → width.</summary>
    [Embedding(Vocab = 256)]
    public partial ScaledEmbedding Embed { get; }

    /// <summary>Mixes the <see cref="Context"/> embeddings: 8·width → width.</summary>
    [SparseLinear(Sparsity = 0.875, In = "8*width")]
    public partial ScaledLinear Mix { get; }

    /// <summary>A residual hidden layer: width → width.</summary>
    [SparseLinear(Sparsity = 0.875)]
    public partial ScaledLinear Hidden { get; }

    /// <summary>Next-byte logits: width → 256.</summary>
    [Readout(Out = "256")]
    public partial ScaledLinear Readout { get; }

    /// <summary>Maps <c>[batch, Context]</c> byte ids to <c>[batch, 256]</c> next-byte logits.</summary>
    public override Tensor forward(Tensor context)
    {
        using var scope = NewDisposeScope();
        var embedded = Embed.call(context).flatten(1);
        var h = RmsNormalize(nn.functional.gelu(Mix.call(embedded)));
        h = RmsNormalize(h + nn.functional.gelu(Hidden.call(h)));
        return Readout.call(h).MoveToOuterDisposeScope();
    }

    // Parameter-free RMS normalisation keeps activations at unit scale, as the paper's pre-norm transformer does,
    // so the paper's base hyperparameters (tuned with norms) suit this norm-free MLP too.
    private static Tensor RmsNormalize(Tensor x) => x * (x.square().mean([-1], keepdim: true) + 1e-6).rsqrt();
}
