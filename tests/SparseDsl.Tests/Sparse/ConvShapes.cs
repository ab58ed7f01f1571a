using static TorchSharp.torch;

namespace SparseDsl.Tests.Sparse;

/// <summary>
/// Masked convolutions of the shapes the sparse path must get right beyond <see cref="Kinds.TinyConvNet"/>'s plain 3×3:
/// a strided input-like 2-D one (3 channels, so its forward multiplier is α_input) with a bias, a 1-D one with a bias,
/// and a grouped one (which has no sparse kernel), before a readout. The tests call the layers one at a time.
/// </summary>
[Width(Base = 16)]
public sealed partial class ConvShapes
{
    // Masked although input-like (SDSL105: its density gets no multiplier), so that the sparse path's forward multiplier is tested.
#pragma warning disable SDSL105
    [Conv(In = "3", Out = "width", Kernel = 3, Stride = 2, Padding = 1, Sparsity = 0.75, Bias = true)]
    public partial ScaledConv Strided { get; }
#pragma warning restore SDSL105

    [Conv(Dimensions = 1, Kernel = 5, Padding = 2, Sparsity = 0.875, Bias = true)]
    public partial ScaledConv Sequence { get; }

    [Conv(Kernel = 3, Padding = 1, Groups = 2, Sparsity = 0.5)]
    public partial ScaledConv Grouped { get; }

    [Readout(Out = "4")]
    public partial ScaledLinear Head { get; }

    public override Tensor forward(Tensor images)
    {
        using var scope = NewDisposeScope();
        return Head.call(Grouped.call(Strided.call(images)).mean([2, 3])).MoveToOuterDisposeScope();
    }
}
