namespace SparseDsl.Generators.Tests;

internal static class Samples
{
    /// <summary>The README's declaration example, verbatim (ReadmeExampleTests checks it stays in sync).</summary>
    public const string Readme = """
        using SparseDsl;
        using TorchSharp;
        using static TorchSharp.torch;

        [Width(Base = 256)]                      // hyperparameters were tuned at width 256
        public sealed partial class SparseMlp    // partial: the generator writes the rest
        {
            [Linear(In = "784", Bias = true)]    // finite fan-in (784 pixels) → input-like layer
            public partial ScaledLinear Input { get; }

            [SparseLinear(Sparsity = 0.875)]     // width → width, 87.5% of weights masked
            public partial ScaledLinear Hidden { get; }

            [SparseLinear(Sparsity = 0.875, In = "width", Out = "4*width")]
            public partial ScaledLinear Up { get; }

            [SparseLinear(Sparsity = 0.875, In = "4*width", Out = "width")]
            public partial ScaledLinear Down { get; }

            [Readout(Out = "10")]                // width → 10 classes
            public partial ScaledLinear Readout { get; }

            public override Tensor forward(Tensor x)
            {
                using var scope = NewDisposeScope();
                var h = nn.functional.relu(Input.call(x));
                h = nn.functional.relu(Hidden.call(h));
                h = h + Down.call(nn.functional.relu(Up.call(h)));
                return Readout.call(h).MoveToOuterDisposeScope();
            }
        }

        public static class ReadmeUsage
        {
            public static void Run()
            {
                // Build at any width; the same seed gives the same weights and masks.
                using var model = new SparseMlp(width: 1024, device: DeviceSelector.Resolve("cpu"), seed: 1);
                using var optimizer = model.CreateAdamW(new AdamWSettings { LearningRate = 1.62e-2 }); // per-group SμPar LRs
                Console.Write(model.Describe());         // per-parameter role, shape, fan-in, density, init std, LR and forward multipliers
            }
        }
        """;

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

    /// <summary>A model whose vocabulary is a run-time size (300 unless ModelOptions.Vocabulary says otherwise), tied readout.</summary>
    public const string VocabLm = """
        using SparseDsl;
        using static TorchSharp.torch;

        [Width(Base = 64, Vocab = 300)]
        partial class VocabLm
        {
            [Embedding(Rows = "vocab")]
            public partial ScaledEmbedding TokenEmbedding { get; }

            [Readout(Out = "vocab", TiedTo = nameof(TokenEmbedding))]
            public partial ScaledLinear LmHead { get; }

            public override Tensor forward(Tensor ids) => LmHead.call(TokenEmbedding.call(ids));
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

    /// <summary>A small transformer LM with every member kind: blocks, a repeated block, norms, attention, zero init, a tied readout.</summary>
    public const string BlockLm = """
        using SparseDsl;
        using TorchSharp.Modules;
        using static TorchSharp.torch;

        namespace Demo.Blocks;

        [Block]
        public sealed partial class Attn
        {
            [SparseLinear(Sparsity = 0.5, ZeroInit = true)] public partial ScaledLinear Query { get; }
            [SparseLinear(Sparsity = 0.5)] public partial ScaledLinear Key { get; }
            [SparseLinear(Sparsity = 0.5)] public partial ScaledLinear Value { get; }
            [Attention(HeadDim = 16, Positions = PositionEncoding.None)] public partial ScaledAttention Mix { get; }
            [SparseLinear(Sparsity = 0.5)] public partial ScaledLinear Out { get; }

            public override Tensor forward(Tensor x) => Out.call(Mix.call(Query.call(x), Key.call(x), Value.call(x)));
        }

        [Block]
        public sealed partial class Layer
        {
            [Norm(Kind = NormKind.RmsNorm)] public partial ScaledNorm Norm { get; }
            [Block] public partial Attn Attention { get; }

            public override Tensor forward(Tensor x) => x + Attention.call(Norm.call(x));
        }

        [Width(Base = 64)]
        public sealed partial class BlockLm
        {
            [Embedding(Vocab = 100)] public partial ScaledEmbedding Embed { get; }
            [Repeat(Depth = 3)] public partial ModuleList<Layer> Layers { get; }
            [Norm(Bias = true)] public partial ScaledNorm FinalNorm { get; }
            [Readout(Out = "100", TiedTo = nameof(Embed))] public partial ScaledLinear Head { get; }

            public override Tensor forward(Tensor ids)
            {
                var h = Embed.call(ids);
                foreach (var layer in Layers) h = layer.call(h);
                return Head.call(FinalNorm.call(h));
            }
        }
        """;

    /// <summary>Layers of a valid model (input, sparse hidden, readout), for samples that add one mistake to them.</summary>
    public const string ValidLayers = """
            [Embedding(Vocab = 256)] public partial ScaledEmbedding Embed { get; }
            [SparseLinear(Sparsity = 0.5)] public partial ScaledLinear Hidden { get; }
            [Readout(Out = "256")] public partial ScaledLinear Head { get; }
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
