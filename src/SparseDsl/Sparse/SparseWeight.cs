using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SparseDsl;

/// <summary>
/// A layer's <c>weight</c> stored as its kept values: the one implementation of sparse storage that every layer with a
/// sparse path (<see cref="ScaledLinear"/>, <see cref="ScaledConv"/>) holds. It reads the values and the pattern through
/// <see cref="LayerTensors"/> on every use, multiplies flattened inputs with <see cref="SparseLinearFunction"/>, and
/// scatters, loads and replaces the stored weight.
/// </summary>
/// <remarks>
/// The pattern is always a matrix <c>[out, rest]</c>: a convolution's <c>[out, in, k(, k)]</c> weight is its row-major
/// flattening <c>[out, in·k(·k)]</c>, so entry order, checkpoints and export are those of a linear weight.
/// </remarks>
internal sealed class SparseWeight
{
    private readonly LayerTensors tensors;
    private readonly string layer;

    /// <summary>The sparse storage of <paramref name="layer"/>'s weight of shape <paramref name="shape"/>, registered in <paramref name="tensors"/>.</summary>
    public SparseWeight(LayerTensors tensors, string layer, long[] shape)
    {
        this.tensors = tensors;
        this.layer = layer;
        Shape = shape;
    }

    /// <summary>The weight's real shape (<c>[out, in]</c>, or a convolution's <c>[out, in, k(, k)]</c>).</summary>
    public long[] Shape { get; }

    /// <summary>The trained kept values <c>[count]</c>, in the pattern's row-major order, as currently registered.</summary>
    public Parameter Values => tensors[LayerTensors.ValuesName("weight")];

    /// <summary>The kept positions of the flattened weight, bound to the registered buffers (also after <c>to(...)</c>).</summary>
    /// <exception cref="InvalidOperationException">The model was moved off the CPU, where the pattern cannot be read.</exception>
    public SparsePattern Pattern => tensors.PatternOf("weight")!;

    /// <summary><c>x·Wᵀ</c> for <c>[tokens, columns]</c> inputs (a linear layer's features, a convolution's unfolded patches).</summary>
    /// <exception cref="InvalidOperationException">The values or the input are off the CPU or not float32.</exception>
    public Tensor Multiply(Tensor flat, SparseSelection? kept)
    {
        var values = Values;
        if (values.device_type != DeviceType.CPU || flat.device_type != DeviceType.CPU)
            throw new InvalidOperationException($"'{layer}' is stored sparse and its kernels run on the CPU (values on {values.device}, input on {flat.device}); build the model for {flat.device} with --storage dense (or Auto, which picks dense there).");
        if (flat.dtype != ScalarType.Float32 || values.dtype != ScalarType.Float32)
            throw new InvalidOperationException($"'{layer}' is stored sparse and its kernels are float32 only; got {values.dtype} values and a {flat.dtype} input. Keep the model in float32, or build it with --storage dense (WeightStorage.Dense) for other dtypes.");
        return SparseLinearFunction.apply(flat, values, Pattern, kept!);
    }

    /// <summary>A detached dense copy of the weight in its real shape: the values at the kept positions, zero elsewhere.</summary>
    public Tensor Dense()
    {
        using var _ = no_grad();
        using var matrix = Pattern.Scatter(Values.detach());
        return matrix.reshape(Shape);
    }

    /// <summary>After a checkpoint load: checks the loaded pattern and rebuilds its transposed index arrays.</summary>
    public void Loaded() => tensors.PatternsLoaded();

    /// <summary>
    /// Replaces the kept positions with <paramref name="kept"/> (of the same matrix shape and count) and the values with
    /// <paramref name="keptValues"/>: an import of weights drawn with another seed.
    /// </summary>
    /// <exception cref="ArgumentException">The pattern has another shape or count.</exception>
    public void Assign(SparsePattern kept, Tensor keptValues)
    {
        var own = Pattern;
        if (kept.Rows != own.Rows || kept.Columns != own.Columns || kept.Count != own.Count)
            throw new ArgumentException($"'{layer}' keeps {own.Count} of [{own.Rows}, {own.Columns}]; the pattern given keeps {kept.Count} of [{kept.Rows}, {kept.Columns}].", nameof(kept));
        using var _ = no_grad();
        own.RowStart.copy_(kept.RowStart);
        own.Column.copy_(kept.Column);
        Values.copy_(keptValues);
        Loaded();
    }
}
