namespace SparseDsl.Generators.Tests;

/// <summary>Declarations of the kinds added after the paper's GPT, one sample each, as a user writes them.</summary>
internal static class KindSamples
{
    public const string ConvNet = """
        using SparseDsl;
        using static TorchSharp.torch;

        namespace Demo.Vision;

        [Width(Base = 32)]
        public partial class PatchNet
        {
            [Conv(In = "3", Out = "width", Kernel = 4, Stride = 4)]
            public partial ScaledConv Patches { get; }

            [Conv(Kernel = 3, Padding = 1, Groups = 2, Sparsity = 0.75, Bias = true)]
            public partial ScaledConv Mix { get; }

            [Conv(Dimensions = 1, In = "width", Out = "width", Kernel = 5, Padding = 2)]
            public partial ScaledConv Sequence { get; }

            [Readout(Out = "10")]
            public partial ScaledLinear Head { get; }

            public override Tensor forward(Tensor images)
            {
                var h = Mix.call(Patches.call(images));
                var tokens = Sequence.call(h.flatten(2));
                return Head.call(tokens.mean([2]));
            }
        }
        """;

    public const string FreeTensors = """
        using SparseDsl;
        using static TorchSharp.torch;

        namespace Demo.Vision;

        [Width(Base = 32)]
        public partial class TokenModel
        {
            [Embedding(Vocab = 50)]
            public partial ScaledEmbedding Embed { get; }

            [Parameter(Shape = "1,1,width")]
            public partial ScaledTensor ClassToken { get; }

            [Parameter(Shape = "64,width", WeightDecay = true)]
            public partial ScaledTensor Positions { get; }

            [Parameter(Shape = "width,4*width", FanIn = "4*width", Init = ParameterInit.Zeros)]
            public partial ScaledTensor Mixer { get; }

            [Parameter(Shape = "width", Init = ParameterInit.Ones)]
            public partial ScaledTensor Gain { get; }

            [Attention(HeadDim = 8, Positions = PositionEncoding.Rope, RopeTheta = 500000, KeyValueDim = "width/4", QkNorm = true)]
            public partial ScaledAttention Attention { get; }

            [Readout(Out = "50")]
            public partial ScaledLinear Head { get; }

            public override Tensor forward(Tensor ids) => Head.call(Embed.call(ids) * Gain + (Tensor)ClassToken);
        }
        """;

    public const string Moe = """
        using SparseDsl;
        using static TorchSharp.torch;

        namespace Demo.Moe;

        [Width(Base = 64)]
        public partial class MoeLm
        {
            [Embedding(Vocab = 256)]
            public partial ScaledEmbedding Embed { get; }

            [Repeat(Depth = 2)]
            public partial TorchSharp.Modules.ModuleList<MoeLayer> Layers { get; }

            [Readout(Out = "256")]
            public partial ScaledLinear Head { get; }

            public override Tensor forward(Tensor ids)
            {
                var h = Embed.call(ids);
                foreach (var layer in Layers) h = layer.call(h);
                return Head.call(h);
            }
        }

        [Block]
        public partial class MoeLayer
        {
            [Norm(Kind = NormKind.RmsNorm)]
            public partial ScaledNorm Norm { get; }

            [Experts(Count = 8, TopK = 2, ZLoss = 0.001)]
            public partial ExpertBank<Expert> Mlp { get; }

            public override Tensor forward(Tensor x) => Residual.Add(this, x, Mlp.call(Norm.call(x)));
        }

        [Block]
        public partial class Expert
        {
            [SparseLinear(Sparsity = 0.875, Out = "2*width", Bias = true)]
            public partial ScaledLinear Up { get; }

            [SparseLinear(Sparsity = 0.875, In = "2*width")]
            public partial ScaledLinear Down { get; }

            public override Tensor forward(Tensor x) => Down.call(nn.functional.relu(Up.call(x)));
        }
        """;

    /// <summary>A valid expert block, to append to a model sample that declares a bank of it.</summary>
    public const string ExpertBlock = """

        [Block]
        public partial class Expert
        {
            [SparseLinear(Sparsity = 0.5)] public partial ScaledLinear Up { get; }
            public override Tensor forward(Tensor x) => Up.call(x);
        }
        """;
}
