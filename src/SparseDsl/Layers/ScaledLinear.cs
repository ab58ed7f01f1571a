using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SparseDsl;

/// <summary>
/// A linear layer <c>y = m · x (W ⊙ M)ᵀ + b</c> built from a <see cref="LayerPlan"/>: init std, mask and forward
/// multiplier <c>m</c> all come from <see cref="ScalingRules"/>. State-dict entries: <c>weight</c>, <c>bias</c>
/// (when declared) and the persistent buffer <c>mask</c> (sparse layers), so masks are saved with the model.
/// </summary>
/// <remarks>
/// <para>
/// A sparse layer takes one of two paths, chosen per layer by <see cref="SparseDispatch"/> (see <see cref="Storage"/>):
/// the dense masked path (above), or sparse storage, where the layer holds only the kept values (<c>weight_values</c>)
/// and the int32 pattern (<c>weight_rows</c>, <c>weight_columns</c>), and multiplies with <see cref="SparseLinearFunction"/>:
/// gradients and AdamW moments then exist for the kept values only, and a masked position has no storage to drift.
/// </para>
/// <para>
/// Masked entries of <c>weight</c> are zeroed at construction. They then get zero gradient, zero Adam moments
/// and zero updates, and decoupled weight decay keeps zero at zero: the stored weight equals <c>W ⊙ M</c>
/// after any number of AdamW steps.
/// </para>
/// </remarks>
public sealed class ScaledLinear : Module<Tensor, Tensor>, ISparseStorageLayer
{
    // Field names match the registered names, as in TorchSharp's own modules.
    private readonly Parameter? weight;
    private readonly Parameter? bias;
    // A tied readout borrows the embedding's table through a holder that is not a tensor field, so TorchSharp's
    // field reflection does not register it a second time under this layer's name.
    private readonly TiedTable? tiedTable;
    private readonly Tensor? mask;
    // Sparse storage has no fields for its values and pattern: TorchSharp's to(...) refreshes only fields named as the
    // registered tensors, so SparseWeight reads both through LayerTensors (the registry) on every use.
    private readonly SparseWeight? sparse;
    private SparseSelection? selection;
    private Tensor? selectionSource;
    private readonly double forwardMultiplier;
    // Made once: a double operand would become a native Scalar per call that only a finalizer frees (issue 24).
    private readonly Scalar forwardScalar;
    private readonly LayerTensors? tensors;
    private UnitOmission? omission;
    private OmissionRole omissionRole;

    /// <summary>Builds the layer on <paramref name="device"/> with draws seeded by <paramref name="seed"/>.</summary>
    public ScaledLinear(LayerPlan plan, long seed, Device? device = null) : base(plan.Name)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.Attribute is not (LinearAttribute or SparseLinearAttribute or ReadoutAttribute))
            throw new ArgumentException($"Layer '{plan.Name}' is a {plan.Kind} layer, not a linear one.", nameof(plan));
        if (plan.TiedTo is not null)
            throw new ArgumentException($"Readout '{plan.Name}' is tied to '{plan.TiedTo}'; build it with the constructor that takes the embedding.", nameof(plan));
        Plan = plan;
        forwardMultiplier = plan.RequireWeight().ForwardMultiplier;
        forwardScalar = forwardMultiplier.ToScalar();
        Storage = SparseDispatch.Decide(plan, (device ?? CPU).type);
        tensors = new LayerTensors(this, plan, seed, device, Storage.IsSparse);
        bias = tensors.Find("bias");
        if (Storage.IsSparse)
        {
            sparse = new SparseWeight(tensors, plan.Name, plan.Parameter("weight").Shape);
            return;
        }
        weight = tensors["weight"];
        mask = tensors.MaskOf("weight");
    }

    /// <summary>
    /// Builds a readout tied to <paramref name="embedding"/>: it computes <c>m · x W_embᵀ</c> with the embedding's own
    /// table, registers no parameter of its own (the table is saved, trained and decayed once, as the embedding) and
    /// reports no scaled parameters.
    /// </summary>
    public ScaledLinear(LayerPlan plan, ScaledEmbedding embedding) : base(plan.Name)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(embedding);
        if (plan.TiedTo != embedding.Plan.Name)
            throw new ArgumentException($"Readout '{plan.Name}' is declared tied to '{plan.TiedTo ?? "nothing"}', not to '{embedding.Plan.Name}'.", nameof(embedding));
        Plan = plan;
        forwardMultiplier = plan.RequireWeight().ForwardMultiplier;
        forwardScalar = forwardMultiplier.ToScalar();
        tiedTable = new TiedTable(embedding);
        Storage = new StorageDecision(false, "dense: tied to " + embedding.Plan.Name);
    }

    /// <summary>Which path this layer takes (dense masked or sparse storage) and why.</summary>
    public StorageDecision Storage { get; }

    /// <summary>Whether the layer stores only its kept values (<see cref="Values"/>, <see cref="Pattern"/>).</summary>
    public bool IsSparseStorage => Storage.IsSparse;

    /// <summary>Under sparse storage, the trained kept values <c>[count]</c> in the pattern's row-major order, as currently registered; otherwise null.</summary>
    public Parameter? Values => sparse?.Values;

    /// <summary>
    /// Under sparse storage, the kept positions, whose index arrays are the registered <c>weight_rows</c> and
    /// <c>weight_columns</c> buffers (also after <c>to(...)</c>); otherwise null.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model was moved off the CPU, where the pattern cannot be read.</exception>
    public SparsePattern? Pattern => sparse?.Pattern;

    /// <summary>Whether this readout reuses an embedding's table (<see cref="ReadoutAttribute.TiedTo"/>).</summary>
    public bool IsTied => tiedTable is not null;

    /// <inheritdoc />
    public LayerPlan Plan { get; }

    /// <summary>The stored dense weight, <c>[out, in]</c> (for a tied readout, the embedding's table). Zero wherever <see cref="Mask"/> is zero.</summary>
    /// <exception cref="InvalidOperationException">The layer stores only its kept values (<see cref="IsSparseStorage"/>).</exception>
    public Parameter Weight => weight ?? tiedTable?.Embedding.Weight
        ?? throw new InvalidOperationException($"'{Plan.Name}' stores only its kept values ({Storage.Reason}): read Values and Pattern, or EffectiveWeight() for the dense weight.");

    /// <summary>The bias, or null.</summary>
    public Parameter? Bias => bias;

    /// <summary>The static 0/1 mask (float32, same shape as <see cref="Weight"/>), or null for a dense layer.</summary>
    public Tensor? Mask => mask;

    /// <summary>The factor applied to <c>x Wᵀ</c> in the forward pass.</summary>
    public double ForwardMultiplier => forwardMultiplier;

    /// <summary>The SAT block (MLP neurons or attention heads) this projection belongs to, or null.</summary>
    public UnitOmission? Omission => omission;

    /// <summary>Which side of its SAT block's units this projection is on (meaningful when <see cref="Omission"/> is set).</summary>
    public OmissionRole OmissionRole => omissionRole;

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        if (training && omission is { IsOmitting: true } sat)
            return OmittingForward(input, sat);
        if (IsSparseStorage)
            return Project(SparseProduct(input, null), bias);
        using var masked = mask is null ? null : Weight.mul(mask);
        return Project(input, masked ?? (Tensor)Weight, bias);
    }

    // SAT: only the kept units' rows (expanding) or columns (contracting) of W, M and b take part, so the matmul is
    // smaller and autograd's scatter of the gathered slice gives the omitted units exactly zero gradient.
    private Tensor OmittingForward(Tensor input, UnitOmission sat)
    {
        bool rows = omissionRole == OmissionRole.Expanding;
        var kept = rows ? sat.RowsFor(this, input) : sat.ColumnsFor(this);
        if (IsSparseStorage)
        {
            using var keptBias = rows ? bias?.index_select(0, kept) : null;
            return Project(SparseProduct(input, SelectionOf(kept, rows)), rows ? keptBias : bias);
        }
        long dim = rows ? 0 : 1;
        using var weightSlice = Weight.index_select(dim, kept);
        using var maskSlice = mask?.index_select(dim, kept);
        using var masked = maskSlice is null ? null : weightSlice.mul(maskSlice);
        using var biasSlice = rows ? bias?.index_select(0, kept) : null;
        return Project(input, masked ?? weightSlice, rows ? biasSlice : bias);
    }

    // x·Wᵀ over the kept values, for any leading dimensions; the kernels run on the CPU in float32.
    private Tensor SparseProduct(Tensor input, SparseSelection? kept)
    {
        long features = input.shape[^1];
        var leading = input.shape[..^1];
        using var flat = input.reshape(-1, features);
        using var product = sparse!.Multiply(flat, kept);
        return product.reshape([.. leading, product.shape[1]]);
    }

    // The sparse kernels' view of this step's SAT selection, rebuilt when the block selects again.
    private SparseSelection SelectionOf(Tensor kept, bool rows)
    {
        if (selection is not null && ReferenceEquals(selectionSource, kept)) return selection;
        selection?.Dispose();
        var shape = Plan.Parameter("weight").Shape;
        selection = SparseSelection.Of(rows, kept, rows ? shape[0] : shape[1]);
        selectionSource = kept;
        return selection;
    }

    /// <summary>Under sparse storage, the value slots (int64, ascending) that SAT's kept rows or columns own.</summary>
    internal Tensor KeptValueSlots(Tensor kept, OmissionRole role) =>
        SelectionOf(kept, role == OmissionRole.Expanding).Slots(Pattern!);

    private Tensor Project(Tensor product, Tensor? b)
    {
        if (forwardMultiplier != 1.0) product.mul_(forwardScalar);
        if (b is not null) product.add_(b);
        return product;
    }

    private Tensor Project(Tensor input, Tensor effective, Tensor? b)
    {
        if (forwardMultiplier == 1.0)
            return functional.linear(input, effective, b);
        var y = functional.linear(input, effective);
        y.mul_(forwardScalar);
        if (b is not null) y.add_(b);
        return y;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            forwardScalar.Dispose();
            selection?.Dispose();
            // The transposed arrays are the pattern's own (the module disposes what it registers).
            tensors?.DisposePatterns();
        }
        base.Dispose(disposing);
    }

    internal void AttachOmission(UnitOmission block, OmissionRole role)
    {
        if (omission is not null && !ReferenceEquals(omission, block))
            throw new InvalidOperationException($"'{Plan.Name}' already belongs to SAT block '{omission.Name}'.");
        omission = block;
        omissionRole = role;
    }

    /// <summary>A detached copy of the weight the model actually uses, <c>W ⊙ M</c>.</summary>
    public Tensor EffectiveWeight()
    {
        using var _ = no_grad();
        if (sparse is not null) return sparse.Dense();
        return mask is null ? Weight.detach().clone() : Weight.detach().mul(mask);
    }

    /// <summary>The weight the model uses, detached, for reading: the stored weight itself on the dense path (no copy), the scattered values under sparse storage.</summary>
    internal Tensor ReadableWeight() => IsSparseStorage ? EffectiveWeight() : Weight.detach();

    /// <summary>After a checkpoint load: checks the loaded pattern and rebuilds its transposed index arrays.</summary>
    void ISparseStorageLayer.PatternsLoaded()
    {
        sparse?.Loaded();
        ForgetSelection();
    }

    /// <summary>
    /// Under sparse storage, replaces the kept positions with <paramref name="kept"/> (of the same shape and count) and
    /// the values with <paramref name="keptValues"/>: an import of weights drawn with another seed.
    /// </summary>
    void ISparseStorageLayer.Assign(SparsePattern kept, Tensor keptValues)
    {
        (sparse ?? throw new InvalidOperationException($"'{Plan.Name}' is stored dense.")).Assign(kept, keptValues);
        ForgetSelection();
    }

    // A cached SAT selection indexes the old pattern's entries.
    private void ForgetSelection()
    {
        selection?.Dispose();
        selection = null;
        selectionSource = null;
    }

    /// <inheritdoc />
    public IEnumerable<ScaledParameter> ScaledParameters()
    {
        // A tied readout reports nothing: its table is trained as the embedding's.
        return tensors?.Scaled() ?? [];
    }

    private sealed record TiedTable(ScaledEmbedding Embedding);
}
