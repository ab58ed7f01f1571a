namespace SparseDsl.Benchmarks.Generator.Corpus;

/// <summary>
/// The <c>[Block]</c> classes the models share, one file each as in a real project: attention, a SwiGLU MLP, the
/// transformer layer that nests both (used through <c>[Repeat]</c>) and a residual feed-forward block (used through
/// <c>[Block]</c>).
/// </summary>
internal static class BlockSources
{
    /// <summary>File name and source of every block.</summary>
    public static IReadOnlyList<(string Path, string Source)> All { get; } =
    [
        ("Blocks/SelfAttention.cs", """
            using SparseDsl;
            using static TorchSharp.torch;

            namespace Bench.Blocks;

            /// <summary>Causal self-attention with sparse projections.</summary>
            [Block]
            public sealed partial class SelfAttention
            {
                [SparseLinear(Sparsity = 0.875, ZeroInit = true)] public partial ScaledLinear Query { get; }
                [SparseLinear(Sparsity = 0.875)] public partial ScaledLinear Key { get; }
                [SparseLinear(Sparsity = 0.875)] public partial ScaledLinear Value { get; }
                [Attention(HeadDim = 16)] public partial ScaledAttention Attention { get; }
                [SparseLinear(Sparsity = 0.875)] public partial ScaledLinear Output { get; }

                public override Tensor forward(Tensor x)
                {
                    using var scope = NewDisposeScope();
                    return Output.call(Attention.call(Query.call(x), Key.call(x), Value.call(x))).MoveToOuterDisposeScope();
                }
            }
            """),
        ("Blocks/SwiGlu.cs", """
            using SparseDsl;
            using static TorchSharp.torch;

            namespace Bench.Blocks;

            /// <summary>SwiGLU MLP, sparsity-accelerated like the example's.</summary>
            [Block]
            [SparsityAccelerated]
            public sealed partial class SwiGlu
            {
                [SparseLinear(Sparsity = 0.875, Out = "4*width")] public partial ScaledLinear Gate { get; }
                [SparseLinear(Sparsity = 0.875, Out = "4*width")] public partial ScaledLinear Up { get; }
                [SparseLinear(Sparsity = 0.875, In = "4*width")] public partial ScaledLinear Down { get; }

                public override Tensor forward(Tensor x)
                {
                    using var scope = NewDisposeScope();
                    return Down.call(nn.functional.silu(Gate.call(x)) * Up.call(x)).MoveToOuterDisposeScope();
                }
            }
            """),
        ("Blocks/TransformerLayer.cs", """
            using SparseDsl;
            using static TorchSharp.torch;

            namespace Bench.Blocks;

            /// <summary>Pre-norm transformer layer.</summary>
            [Block]
            public sealed partial class TransformerLayer
            {
                [Norm] public partial ScaledNorm AttentionNorm { get; }
                [Block] public partial SelfAttention Attention { get; }
                [Norm(Kind = NormKind.RmsNorm)] public partial ScaledNorm MlpNorm { get; }
                [Block] public partial SwiGlu Mlp { get; }

                public override Tensor forward(Tensor x)
                {
                    using var scope = NewDisposeScope();
                    var h = x + Attention.call(AttentionNorm.call(x));
                    return (h + Mlp.call(MlpNorm.call(h))).MoveToOuterDisposeScope();
                }
            }
            """),
        ("Blocks/FeedForward.cs", """
            using SparseDsl;
            using static TorchSharp.torch;

            namespace Bench.Blocks;

            /// <summary>Norm, then a sparse 2·width feed-forward.</summary>
            [Block]
            public sealed partial class FeedForward
            {
                [Norm(Bias = true)] public partial ScaledNorm Norm { get; }
                [SparseLinear(Sparsity = 0.75, Out = "2*width", Bias = true)] public partial ScaledLinear Up { get; }
                [SparseLinear(Sparsity = 0.75, In = "2*width")] public partial ScaledLinear Down { get; }

                public override Tensor forward(Tensor x) => Down.call(nn.functional.gelu(Up.call(Norm.call(x))));
            }
            """),
    ];
}
