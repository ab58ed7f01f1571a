using static TorchSharp.torch;

namespace SparseDsl;

/// <summary>
/// The tensor-level products of a sparse linear layer on the CPU (shapes and kernel calls); the arithmetic is
/// <see cref="SparseKernels"/>'. Inputs are contiguous <c>[tokens, features]</c> float32 matrices.
/// </summary>
internal static unsafe class SparseProducts
{
    /// <summary><c>x·Wᵀ</c>: <c>[tokens, out]</c>, or <c>[tokens, kept rows]</c> under a row selection.</summary>
    public static Tensor Forward(Tensor input, Tensor values, SparsePattern pattern, SparseSelection? selection)
    {
        using var x = input.contiguous();
        int tokens = (int)x.shape[0];
        bool rows = selection is { IsRows: true };
        long outColumns = rows ? selection!.Kept.shape[0] : pattern.Rows;
        var y = empty([tokens, outColumns], ScalarType.Float32);
        SparseKernels.Multiply(View(pattern, values), rows ? TensorMemory.Ints(selection!.Kept) : null, (int)outColumns,
            selection is { IsRows: false } ? TensorMemory.Ints(selection.Map) : null,
            TensorMemory.Floats(x), (int)x.shape[1], TensorMemory.Floats(y), tokens);
        return y;
    }

    /// <summary>The input gradient <c>dy·W</c> and the values' gradient <c>(dyᵀ·x) at the kept positions</c>.</summary>
    public static (Tensor Input, Tensor Values) Backward(Tensor gradOutput, Tensor input, Tensor values, SparsePattern pattern, SparseSelection? selection)
    {
        using var g = gradOutput.contiguous();
        using var x = input.contiguous();
        int tokens = (int)x.shape[0];
        bool rows = selection is { IsRows: true };
        bool columns = selection is { IsRows: false };

        // dx = dy·W over the transposed pattern: one output column per input column (or kept column).
        long inColumns = columns ? selection!.Kept.shape[0] : pattern.Columns;
        var dx = empty([tokens, inColumns], ScalarType.Float32);
        var transposed = new CsrView(TensorMemory.Ints(pattern.TransposedRowStart), TensorMemory.Ints(pattern.TransposedColumn),
            TensorMemory.Ints(pattern.TransposedSlot), TensorMemory.Floats(values));
        SparseKernels.Multiply(transposed, columns ? TensorMemory.Ints(selection!.Kept) : null, (int)inColumns,
            rows ? TensorMemory.Ints(selection!.Map) : null, TensorMemory.Floats(g), (int)g.shape[1], TensorMemory.Floats(dx), tokens);

        // dW at the kept positions: one dot product over tokens per entry; omitted units' entries stay zero.
        var gradValues = zeros(values.shape[0], ScalarType.Float32);
        SparseKernels.SampledProduct(View(pattern, values), rows ? TensorMemory.Ints(selection!.Kept) : null, (int)g.shape[1],
            columns ? TensorMemory.Ints(selection!.Map) : null, TensorMemory.Floats(g), TensorMemory.Floats(x), (int)x.shape[1],
            tokens, TensorMemory.Floats(gradValues));
        return (dx, gradValues);
    }

    private static CsrView View(SparsePattern pattern, Tensor values) =>
        new(TensorMemory.Ints(pattern.RowStart), TensorMemory.Ints(pattern.Column), null, TensorMemory.Floats(values));
}
