namespace SparseDsl.Tests;

/// <summary>A small declared model covering every layer kind, built by the generator like a user's model.</summary>
[Width(Base = 64)]
public sealed partial class ProbeModel
{
    [Embedding(Vocab = 100)]
    public partial ScaledEmbedding Embed { get; }

    [SparseLinear(Sparsity = 0.5, Bias = true)]
    public partial ScaledLinear Hidden { get; }

    [Linear(In = "width", Out = "2*width")]
    public partial ScaledLinear Up { get; }

    [SparseLinear(Sparsity = 0.75, In = "2*width", Out = "width")]
    public partial ScaledLinear Down { get; }

    [Readout(Out = "10")]
    public partial ScaledLinear Readout { get; }

    public override TorchSharp.torch.Tensor forward(TorchSharp.torch.Tensor ids)
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        var h = Embed.call(ids).mean([1]);
        h = TorchSharp.torch.nn.functional.relu(Hidden.call(h));
        h = h + Down.call(TorchSharp.torch.nn.functional.relu(Up.call(h)));
        return Readout.call(h).MoveToOuterDisposeScope();
    }
}
