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
}
