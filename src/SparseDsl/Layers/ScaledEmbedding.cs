using static TorchSharp.torch;

namespace SparseDsl;

/// <summary>
/// A token embedding <c>y = α · W[ids]</c> built from a <see cref="LayerPlan"/>: <c>[Vocab, Dim]</c>, dense,
/// N(0, σ²) init, forward multiplier α_input under μP and SμPar. State-dict entry: <c>weight</c>.
/// </summary>
public sealed class ScaledEmbedding : ScaledWeightLayer
{
    /// <summary>Builds the embedding on <paramref name="device"/> with draws seeded by <paramref name="seed"/>.</summary>
    public ScaledEmbedding(LayerPlan plan, long seed, Device? device = null) : base(Checked(plan), seed, device)
    {
    }

    // The kind is checked before anything is drawn.
    private static LayerPlan Checked(LayerPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        plan.AttributeAs<EmbeddingAttribute>();
        return plan;
    }

    /// <summary>Looks up integer token ids of any shape; returns <c>[..ids.shape, Dim]</c>.</summary>
    public override Tensor forward(Tensor ids)
    {
        if (ids.dtype != ScalarType.Int64 && ids.dtype != ScalarType.Int32)
            throw new ArgumentException($"Embedding '{Plan.Name}' expects integer token ids, got {ids.dtype}.", nameof(ids));
        long[] shape = [.. ids.shape, Plan.OutFeatures];
        using var flat = ids.reshape(-1);
        using var rows = Weight.index_select(0, flat);
        return Scaled(rows.reshape(shape));
    }
}
