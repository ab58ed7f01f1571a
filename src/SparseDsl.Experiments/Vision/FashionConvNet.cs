using SparseDsl;
using static TorchSharp.torch;

namespace SparseDsl.Experiments.Vision;

/// <summary>
/// A small ConvNet for 28×28 grayscale images in 10 classes: a dense stem convolution (1 channel → width, 4×4 with stride
/// 2, to 14×14; input-like), then three sparse hidden convolutions (width → width → 2·width → 2·width) with max pooling
/// to 7×7, a sparse hidden layer on the flattened 7×7 map and a zero-initialised readout. Each convolution's output is
/// group-normalised (no learned parameters) before its ReLU. Every hidden layer declares 87.5% sparsity;
/// <see cref="ModelOptions.Sparsity"/> replaces it at run time and leaves the stem dense.
/// </summary>
[Width(Base = 32)]
public sealed partial class FashionConvNet
{
    /// <summary>
    /// 1 → width channels, 4×4 with stride 2: 28×28 → 14×14. Finite fan-in (16 pixels), so input-like and dense. The
    /// stride halves the training time of a 3×3 stem at 28×28 followed by pooling (measured), for the same map size.
    /// </summary>
    [Conv(In = "1", Out = "width", Kernel = 4, Stride = 2, Padding = 1, Bias = true)]
    public partial ScaledConv Stem { get; }

    /// <summary>width → width, 3×3 at 14×14.</summary>
    [Conv(Kernel = 3, Padding = 1, Sparsity = 0.875, Bias = true)]
    public partial ScaledConv Conv1 { get; }

    /// <summary>width → 2·width, 3×3 at 14×14, then pooled to 7×7.</summary>
    [Conv(Out = "2*width", Kernel = 3, Padding = 1, Sparsity = 0.875, Bias = true)]
    public partial ScaledConv Conv2 { get; }

    /// <summary>2·width → 2·width, 3×3 at 7×7.</summary>
    [Conv(In = "2*width", Out = "2*width", Kernel = 3, Padding = 1, Sparsity = 0.875, Bias = true)]
    public partial ScaledConv Conv3 { get; }

    /// <summary>The flattened 7×7 × 2·width map → 4·width features.</summary>
    [SparseLinear(In = "98*width", Out = "4*width", Sparsity = 0.875, Bias = true)]
    public partial ScaledLinear Hidden { get; }

    /// <summary>4·width → 10 class logits.</summary>
    [Readout(In = "4*width", Out = "10", ZeroInit = true)]
    public partial ScaledLinear Head { get; }

    /// <summary>Maps images <c>[batch, 1, 28, 28]</c> to logits <c>[batch, 10]</c>.</summary>
    public override Tensor forward(Tensor images)
    {
        using var scope = NewDisposeScope();
        var h = nn.functional.relu(Normalize(Stem.call(images)));                      // 14×14
        h = nn.functional.relu(Normalize(Conv1.call(h)));
        h = nn.functional.max_pool2d(nn.functional.relu(Normalize(Conv2.call(h))), 2);  // 7×7
        h = nn.functional.relu(Normalize(Conv3.call(h)));
        h = nn.functional.relu(Hidden.call(h.flatten(1)));
        return Head.call(h).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Group normalisation in 8 groups of channels, without learned parameters (so there is nothing to scale or
    /// declare). Measured on the full set, 12 epochs: test accuracy 0.9208 against 0.9194 without it, test loss 0.217
    /// against 0.232, at the same speed.
    /// </summary>
    private static Tensor Normalize(Tensor x) => nn.functional.group_norm(x, 8);
}
