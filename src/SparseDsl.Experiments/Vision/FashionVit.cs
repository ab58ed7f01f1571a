using SparseDsl;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SparseDsl.Experiments.Vision;

/// <summary>
/// A small vision transformer for 28×28 grayscale images in 10 classes: a dense patch embedding (a 4×4, stride-4
/// convolution: 49 patch tokens, input-like), a learned class token and position table (free tensors, vector-like),
/// <see cref="VitBlock"/>s with sparse projections, a final LayerNorm and a readout from the class token.
/// </summary>
[Width(Base = 64)]
public sealed partial class FashionVit
{
    /// <summary>Tokens per image: 7×7 patches and the class token.</summary>
    public const int Tokens = 50;

    /// <summary>4×4 patches → width: fan-in 16 pixels, input-like, dense.</summary>
    [Conv(In = "1", Out = "width", Kernel = 4, Stride = 4, Bias = true)]
    public partial ScaledConv Patches { get; }

    /// <summary>The class token, prepended to the patches; the readout reads it.</summary>
    [Parameter(Shape = "1,1,width")]
    public partial ScaledTensor ClassToken { get; }

    /// <summary>One learned position vector per token.</summary>
    [Parameter(Shape = "50,width")]
    public partial ScaledTensor Positions { get; }

    /// <summary>The transformer layers (4 by default; <see cref="ModelOptions.Depth"/> changes it).</summary>
    [Repeat(Depth = 4)]
    public partial ModuleList<VitBlock> Blocks { get; }

    /// <summary>LayerNorm before the readout.</summary>
    [Norm]
    public partial ScaledNorm FinalNorm { get; }

    /// <summary>width → 10 class logits, from the class token.</summary>
    [Readout(Out = "10", ZeroInit = true)]
    public partial ScaledLinear Head { get; }

    /// <summary>Maps images <c>[batch, 1, 28, 28]</c> to logits <c>[batch, 10]</c>.</summary>
    public override Tensor forward(Tensor images)
    {
        using var scope = NewDisposeScope();
        var patches = Patches.call(images).flatten(2).transpose(1, 2);          // [batch, 49, width]
        var cls = ClassToken.Value.expand(patches.shape[0], 1, -1);
        var h = cat([cls, patches], 1) + (Tensor)Positions;
        foreach (var block in Blocks) h = BlockRecompute.Call(block, h);
        return Head.call(FinalNorm.call(h.select(1, 0))).MoveToOuterDisposeScope();
    }
}
