using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SparseDsl;

/// <summary>
/// A token embedding <c>y = α · W[ids]</c> built from a <see cref="LayerPlan"/>: <c>[Vocab, Dim]</c>, dense,
/// N(0, σ²) init, forward multiplier α_input under μP and SμPar. State-dict entry: <c>weight</c>.
/// </summary>
public sealed class ScaledEmbedding : Module<Tensor, Tensor>, IScaledLayer
{
    private readonly Parameter weight;
    private readonly LayerTensors tensors;
    private readonly double forwardMultiplier;
    // Made once: a double operand would become a native Scalar per call that only a finalizer frees (issue 24).
    private readonly Scalar forwardScalar;

    /// <summary>Builds the embedding on <paramref name="device"/> with draws seeded by <paramref name="seed"/>.</summary>
    public ScaledEmbedding(LayerPlan plan, long seed, Device? device = null) : base(plan.Name)
    {
        ArgumentNullException.ThrowIfNull(plan);
        plan.AttributeAs<EmbeddingAttribute>();
        Plan = plan;
        forwardMultiplier = plan.RequireWeight().ForwardMultiplier;
        forwardScalar = forwardMultiplier.ToScalar();
        tensors = new LayerTensors(this, plan, seed, device);
        weight = tensors["weight"];
    }

    /// <inheritdoc />
    public LayerPlan Plan { get; }

    /// <summary>The table, <c>[Vocab, Dim]</c>.</summary>
    public Parameter Weight => weight;

    /// <summary>The factor applied to looked-up rows.</summary>
    public double ForwardMultiplier => forwardMultiplier;

    /// <summary>Looks up integer token ids of any shape; returns <c>[..ids.shape, Dim]</c>.</summary>
    public override Tensor forward(Tensor ids)
    {
        if (ids.dtype != ScalarType.Int64 && ids.dtype != ScalarType.Int32)
            throw new ArgumentException($"Embedding '{Plan.Name}' expects integer token ids, got {ids.dtype}.", nameof(ids));
        long[] shape = [.. ids.shape, Plan.OutFeatures];
        using var flat = ids.reshape(-1);
        using var rows = weight.index_select(0, flat);
        var y = rows.reshape(shape);
        if (forwardMultiplier != 1.0) y.mul_(forwardScalar);
        return y;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) forwardScalar.Dispose();
        base.Dispose(disposing);
    }

    /// <inheritdoc />
    public IEnumerable<ScaledParameter> ScaledParameters() => tensors.Scaled();
}
