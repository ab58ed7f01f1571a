using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SparseDsl;

/// <summary>
/// A 1-D or 2-D convolution <c>y = m · conv(x, W ⊙ M) + b</c> built from a <see cref="LayerPlan"/> of a
/// <see cref="ConvAttribute"/>: init std, mask and forward multiplier <c>m</c> come from <see cref="ScalingRules"/>.
/// State-dict entries: <c>weight</c> (<c>[out, in/groups, k(, k)]</c>, as PyTorch's), <c>bias</c> and the buffer <c>mask</c>.
/// </summary>
/// <remarks>
/// A masked convolution takes one of two paths, chosen per layer by <see cref="SparseDispatch"/> (see <see cref="Storage"/>):
/// the dense masked path (above, libtorch's convolution), or sparse storage, where the layer holds only the kept values
/// of its weight flattened to <c>[out, in·k(·k)]</c> (<c>weight_values</c>, <c>weight_rows</c>, <c>weight_columns</c>, as
/// a sparse linear layer's) and computes the convolution as im2col (<see cref="ConvPatches"/>) followed by the sparse
/// linear product (<see cref="SparseLinearFunction"/>): gradients and AdamW moments then exist for the kept values only.
/// </remarks>
public sealed class ScaledConv : Module<Tensor, Tensor>, ISparseStorageLayer
{
    // Field names match the registered names, as in TorchSharp's own modules.
    private readonly Parameter? weight;
    private readonly Parameter? bias;
    private readonly Tensor? mask;
    // Sparse storage reads its values and pattern through the registry (see ScaledLinear for why there are no fields).
    private readonly SparseWeight? sparse;
    private readonly ConvPatches patches;
    private readonly LayerTensors tensors;
    private readonly int dimensions;
    private readonly long stride, padding, groups;
    private readonly double forwardMultiplier;
    // Made once: a double operand would become a native Scalar per call that only a finalizer frees (issue 24).
    private readonly Scalar forwardScalar;

    /// <summary>Builds the convolution on <paramref name="device"/> with draws seeded by <paramref name="seed"/>.</summary>
    public ScaledConv(LayerPlan plan, long seed, Device? device = null) : base(plan.Name)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var attribute = plan.AttributeAs<ConvAttribute>();
        Plan = plan;
        (dimensions, stride, padding, groups) = (attribute.Dimensions, attribute.Stride, attribute.Padding, attribute.Groups);
        patches = new ConvPatches(dimensions, attribute.Kernel, stride, padding);
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

    /// <inheritdoc />
    public LayerPlan Plan { get; }

    /// <inheritdoc />
    public StorageDecision Storage { get; }

    /// <inheritdoc />
    public bool IsSparseStorage => Storage.IsSparse;

    /// <inheritdoc />
    public Parameter? Values => sparse?.Values;

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The model was moved off the CPU, where the pattern cannot be read.</exception>
    public SparsePattern? Pattern => sparse?.Pattern;

    /// <summary>The stored weight, zero wherever <see cref="Mask"/> is zero.</summary>
    /// <exception cref="InvalidOperationException">The layer stores only its kept values (<see cref="IsSparseStorage"/>).</exception>
    public Parameter Weight => weight
        ?? throw new InvalidOperationException($"'{Plan.Name}' stores only its kept values ({Storage.Reason}): read Values and Pattern, or EffectiveWeight() for the dense weight.");

    /// <summary>The bias, or null.</summary>
    public Parameter? Bias => bias;

    /// <summary>The static 0/1 mask, or null for a dense convolution or under sparse storage.</summary>
    public Tensor? Mask => mask;

    /// <summary>The factor applied to the convolution before the bias.</summary>
    public double ForwardMultiplier => forwardMultiplier;

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        if (sparse is not null) return Project(SparseConvolution(input));
        using var masked = mask is null ? null : weight!.mul(mask);
        var effective = masked ?? (Tensor)weight!;
        bool scaled = forwardMultiplier != 1.0;
        var y = dimensions == 1
            ? functional.conv1d(input, effective, scaled ? null : bias, stride, padding, 1, groups)
            : functional.conv2d(input, effective, scaled ? null : bias, [stride, stride], [padding, padding], [1, 1], groups);
        return scaled ? Project(y) : y;
    }

    // im2col, then the sparse linear product over the flattened weight; autograd carries dx back through unfold.
    private Tensor SparseConvolution(Tensor input)
    {
        using var columns = patches.Columns(input);
        using var product = sparse!.Multiply(columns, null);
        return patches.Output(product, input);
    }

    private Tensor Project(Tensor y)
    {
        if (forwardMultiplier != 1.0) y.mul_(forwardScalar);
        if (bias is null) return y;
        using var shaped = dimensions == 1 ? bias.view(1, -1, 1) : bias.view(1, -1, 1, 1);
        return y.add_(shaped);
    }

    /// <inheritdoc />
    public Tensor EffectiveWeight()
    {
        if (sparse is not null) return sparse.Dense();
        using var _ = no_grad();
        return mask is null ? weight!.detach().clone() : weight!.detach().mul(mask);
    }

    void ISparseStorageLayer.PatternsLoaded() => sparse?.Loaded();

    void ISparseStorageLayer.Assign(SparsePattern kept, Tensor keptValues) =>
        (sparse ?? throw new InvalidOperationException($"'{Plan.Name}' is stored dense.")).Assign(kept, keptValues);

    /// <inheritdoc />
    public IEnumerable<ScaledParameter> ScaledParameters() => tensors.Scaled();

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            forwardScalar.Dispose();
            // The transposed arrays are the pattern's own (the module disposes what it registers).
            tensors.DisposePatterns();
        }
        base.Dispose(disposing);
    }
}
