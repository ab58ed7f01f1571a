using static TorchSharp.torch;

namespace SparseDsl.Tests.Kinds;

/// <summary>
/// One Llama-style attention layer: RoPE, grouped-query heads (two query heads per key/value head) and QK-norm, with
/// sparse projections and an RMSNorm. It returns <c>[batch·time, vocab]</c> logits so the shared cross-entropy applies.
/// </summary>
[Width(Base = 16)]
public sealed partial class TinyRopeLm
{
    [Embedding(Vocab = 16)]
    public partial ScaledEmbedding Embed { get; }

    [SparseLinear(Sparsity = 0.5)]
    public partial ScaledLinear Query { get; }

    [SparseLinear(Out = "width/2", Sparsity = 0.5)]
    public partial ScaledLinear Key { get; }

    [SparseLinear(Out = "width/2", Sparsity = 0.5)]
    public partial ScaledLinear Value { get; }

    [Attention(HeadDim = 8, Positions = PositionEncoding.Rope, KeyValueDim = "width/2", QkNorm = true)]
    public partial ScaledAttention Attention { get; }

    [SparseLinear(Sparsity = 0.5)]
    public partial ScaledLinear Output { get; }

    [Norm(Kind = NormKind.RmsNorm)]
    public partial ScaledNorm FinalNorm { get; }

    [Readout(Out = "16")]
    public partial ScaledLinear Head { get; }

    public override Tensor forward(Tensor ids)
    {
        using var scope = NewDisposeScope();
        var x = Embed.call(ids);
        x = x + Output.call(Attention.call(Query.call(x), Key.call(x), Value.call(x)));
        return Head.call(FinalNorm.call(x)).reshape(-1, 16).MoveToOuterDisposeScope();
    }

    /// <summary>Random tokens; the target at each position is the token before it (the first repeats itself): only attention with positions can learn it.</summary>
    public static (Tensor Ids, Tensor Targets) Batch(int number)
    {
        using var generator = new Generator((ulong)(77 + number));
        var ids = randint(0, 16, [16, 12], ScalarType.Int64, generator: generator);
        var previous = cat([ids.narrow(1, 0, 1), ids.narrow(1, 0, 11)], 1);
        return (ids, previous.reshape(-1));
    }
}
