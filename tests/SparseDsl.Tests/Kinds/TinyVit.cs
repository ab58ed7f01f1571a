using static TorchSharp.torch;

namespace SparseDsl.Tests.Kinds;

/// <summary>
/// A tiny vision transformer without attention: a conv patch embedding, a class token and a position table declared as
/// free tensors, a hidden matrix and a layer-scale vector declared the same way, and a readout from the class token.
/// </summary>
[Width(Base = 16)]
public sealed partial class TinyVit
{
    [Conv(In = "1", Out = "width", Kernel = 2, Stride = 2)]
    public partial ScaledConv Patches { get; }

    [Parameter(Shape = "1,1,width")]
    public partial ScaledTensor ClassToken { get; }

    [Parameter(Shape = "17,width")]
    public partial ScaledTensor Positions { get; }

    [Parameter(Shape = "width,width", FanIn = "width")]
    public partial ScaledTensor Mixer { get; }

    [Parameter(Shape = "width", Init = ParameterInit.Ones)]
    public partial ScaledTensor LayerScale { get; }

    [Norm]
    public partial ScaledNorm Norm { get; }

    [Readout(Out = "4")]
    public partial ScaledLinear Head { get; }

    public override Tensor forward(Tensor images)
    {
        using var scope = NewDisposeScope();
        var tokens = Patches.call(images).flatten(2).transpose(1, 2); // [batch, 16, width]
        var cls = ClassToken.Value.expand(tokens.shape[0], 1, -1);
        var h = cat([cls, tokens], 1) + (Tensor)Positions;
        // Every token mixes in the mean of all tokens through the hidden matrix, scaled per channel.
        var mixed = nn.functional.linear(h.mean([1], keepdim: true), Mixer.Value).relu();
        h = h + mixed * LayerScale;
        return Head.call(Norm.call(h.select(1, 0))).MoveToOuterDisposeScope();
    }
}
