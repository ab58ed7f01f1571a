using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SparseDsl.Tests.Kinds;

/// <summary>The new user's model: a raw TorchSharp layer next to DSL layers, with nothing said about it.</summary>
[Width(Base = 16)]
public sealed partial class WithRawLayer
{
    [Embedding(Vocab = 10)]
    public partial ScaledEmbedding Embed { get; }

    [Readout(Out = "10")]
    public partial ScaledLinear Head { get; }

#pragma warning disable SDSL101 // the point of this model: the raw layer that SDSL101 warns about
    private readonly Linear raw = nn.Linear(16, 16);
#pragma warning restore SDSL101

    public override Tensor forward(Tensor ids) => Head.call(raw.call(Embed.call(ids)));
}

/// <summary>The same model with the raw layer marked [Unscaled]: trained as built, with SP rules.</summary>
[Width(Base = 16)]
public sealed partial class WithUnscaledLayer
{
    [Embedding(Vocab = 10)]
    public partial ScaledEmbedding Embed { get; }

    [Readout(Out = "10")]
    public partial ScaledLinear Head { get; }

    [Unscaled]
    private readonly Linear raw = nn.Linear(16, 16);

    public Linear Raw => raw;

    public override Tensor forward(Tensor ids) => Head.call(raw.call(Embed.call(ids)));
}
