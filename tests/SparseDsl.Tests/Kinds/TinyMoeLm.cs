using static TorchSharp.torch;

namespace SparseDsl.Tests.Kinds;

/// <summary>
/// A byte-level LM whose blocks are <c>x + Experts(RMS x)</c>: an expert bank of 4 sparse two-layer MLPs with biases,
/// top-2, with both auxiliary losses on. Declared in the tests so the expert kind is tested apart from the example.
/// Base width 16, so width 64 has m_d = 4.
/// </summary>
[Width(Base = 16)]
public sealed partial class TinyMoeLm
{
    [Embedding(Vocab = 256)]
    public partial ScaledEmbedding Embed { get; }

    [Repeat(Depth = 1)]
    public partial TorchSharp.Modules.ModuleList<TinyMoeBlock> Blocks { get; }

    [Norm]
    public partial ScaledNorm FinalNorm { get; }

    [Readout(Out = "256", TiedTo = nameof(Embed))]
    public partial ScaledLinear Head { get; }

    /// <summary>Maps <c>[batch, time]</c> byte ids to <c>[batch, time, 256]</c> logits.</summary>
    public override Tensor forward(Tensor ids)
    {
        using var scope = NewDisposeScope();
        var h = Embed.call(ids);
        foreach (var block in Blocks) h = block.call(h);
        return Head.call(FinalNorm.call(h)).MoveToOuterDisposeScope();
    }
}

/// <summary>A pre-norm residual layer around an expert bank.</summary>
[Block]
public sealed partial class TinyMoeBlock
{
    [Norm(Kind = NormKind.RmsNorm)]
    public partial ScaledNorm MixtureNorm { get; }

    [Experts(Count = 4, TopK = 2, BalanceLoss = 0.01, ZLoss = 0.001)]
    public partial ExpertBank<TinyExpert> Mixture { get; }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return Residual.Add(this, x, Mixture.call(MixtureNorm.call(x))).MoveToOuterDisposeScope();
    }
}

/// <summary>One expert: <c>Down(gelu(Up x))</c>, both projections half sparse with biases.</summary>
[Block]
public sealed partial class TinyExpert
{
    [SparseLinear(Sparsity = 0.5, Out = "2*width", Bias = true)]
    public partial ScaledLinear Up { get; }

    [SparseLinear(Sparsity = 0.5, In = "2*width", Bias = true)]
    public partial ScaledLinear Down { get; }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return Down.call(nn.functional.gelu(Up.call(x))).MoveToOuterDisposeScope();
    }
}
