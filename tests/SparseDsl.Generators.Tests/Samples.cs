namespace SparseDsl.Generators.Tests;

internal static class Samples
{
    public const string Mlp = """
        using SparseDsl;
        using TorchSharp;
        using static TorchSharp.torch;

        namespace Demo.Models;

        [Width(Base = 256)]
        public sealed partial class SparseMlp
        {
            [Linear(In = "784", Bias = true)]
            public partial ScaledLinear Input { get; }

            [SparseLinear(Sparsity = 0.875)]
            public partial ScaledLinear Hidden { get; }

            [SparseLinear(Sparsity = 0.5, In = "width", Out = "4*width")]
            internal partial ScaledLinear MlpUp { get; }

            [Readout(Out = "10")]
            public partial ScaledLinear Readout { get; }

            public override Tensor forward(Tensor x)
            {
                var h = nn.functional.relu(Input.call(x));
                h = nn.functional.relu(Hidden.call(h));
                return Readout.call(h);
            }

            private int Unrelated() { return 1; }
        }
        """;

    public const string TinyLm = """
        using SparseDsl;
        using static TorchSharp.torch;

        [Width(Base = 64)]
        partial class TinyLm
        {
            [Embedding(Vocab = 256)]
            public partial ScaledEmbedding TokenEmbedding { get; }

            [Readout(Out = "256")]
            public partial ScaledLinear LmHead { get; }

            public override Tensor forward(Tensor ids) => LmHead.call(TokenEmbedding.call(ids));
        }
        """;

    /// <summary>Wraps a class body in a [Width] model with the usual usings.</summary>
    public static string Model(string members, string header = "[Width(Base = 256)]\npublic partial class Bad") => $$"""
        using SparseDsl;
        using static TorchSharp.torch;
        namespace Demo;
        {{header}}
        {
        {{members}}
            public override Tensor forward(Tensor x) => x;
        }
        """;
}
