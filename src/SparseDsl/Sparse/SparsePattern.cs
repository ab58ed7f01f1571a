using TorchSharp;
using static TorchSharp.torch;

namespace SparseDsl;

/// <summary>
/// The kept positions of a <c>[rows, columns]</c> weight as int32 compressed rows, with the transposed pattern and
/// the permutation between them, so <c>W·x</c>, <c>Wᵀ·g</c> and the weight gradient all run as row-wise sparse
/// products over one values vector. Entries are in row-major order: entry k of the pattern holds value k.
/// </summary>
public sealed class SparsePattern : IDisposable
{
    private SparsePattern(long rows, long columns, Tensor rowStart, Tensor column)
    {
        Rows = rows;
        Columns = columns;
        RowStart = rowStart;
        Column = column;
        Count = column.shape[0];
        (TransposedRowStart, TransposedColumn, TransposedSlot) = Transpose();
    }

    private (Tensor RowStart, Tensor Column, Tensor Slot) Transpose()
    {
        using var scope = NewDisposeScope();
        using var rowOf = RowOfEntry();
        // Entries of Wᵀ sorted by (column, row): the stable sort of the column keeps each column's rows in order.
        var (_, order) = Column.to(ScalarType.Int64).sort(stable: true);
        var slot = order.to(ScalarType.Int32).contiguous().DetachFromDisposeScope();
        var transposedColumn = rowOf.index_select(0, order).to(ScalarType.Int32).contiguous().DetachFromDisposeScope();
        var transposedRowStart = Starts(Column.to(ScalarType.Int64), Columns).DetachFromDisposeScope();
        return (transposedRowStart, transposedColumn, slot);
    }

    /// <summary>
    /// Checks <see cref="RowStart"/> and <see cref="Column"/> after their contents were replaced in place (a checkpoint
    /// load) and rebuilds the transposed pattern from them.
    /// </summary>
    /// <exception cref="ArgumentException">They no longer describe a valid pattern of this shape.</exception>
    internal void Reindex()
    {
        Validate(Rows, Columns, RowStart, Column);
        Retranspose();
    }

    private void Retranspose()
    {
        var (rowStart, column, slot) = Transpose();
        TransposedRowStart.Dispose();
        TransposedColumn.Dispose();
        TransposedSlot.Dispose();
        (TransposedRowStart, TransposedColumn, TransposedSlot) = (rowStart, column, slot);
    }

    /// <summary>
    /// Takes <paramref name="rowStart"/> and <paramref name="column"/> as this pattern's arrays, checks them and rebuilds
    /// the transposed pattern: a layer's registered buffers after <c>Module.to(...)</c> replaced (and disposed) the ones
    /// the pattern held. They are used as they are, not copied, so the pattern and the state dict stay one set of tensors.
    /// </summary>
    /// <exception cref="ArgumentException">They are not contiguous int32 tensors in CPU memory, or not a valid pattern of this shape.</exception>
    internal void Rebind(Tensor rowStart, Tensor column)
    {
        ArgumentNullException.ThrowIfNull(rowStart);
        ArgumentNullException.ThrowIfNull(column);
        foreach (var t in new[] { rowStart, column })
            if (t.device_type != DeviceType.CPU || t.dtype != ScalarType.Int32 || !t.is_contiguous())
                throw new ArgumentException($"The sparse kernels read contiguous int32 indices in CPU memory; got {t.dtype} on {t.device}.");
        // Checked before the arrays are taken, so a refused pair leaves the pattern as it was.
        Validate(Rows, Columns, rowStart, column);
        if (column.shape[0] != Count)
            throw new ArgumentException($"The pattern keeps {Count} entries; the new arrays hold {column.shape[0]}.");
        RowStart = rowStart;
        Column = column;
        Retranspose();
    }

    /// <summary>Rows of the weight (its outputs).</summary>
    public long Rows { get; }

    /// <summary>Columns of the weight (its inputs).</summary>
    public long Columns { get; }

    /// <summary>Stored entries.</summary>
    // Kept apart from Column: after Module.to(...) disposed the old arrays, Rebind still needs it to check the new ones.
    public long Count { get; }

    /// <summary>int32 <c>[rows + 1]</c>: row r's entries are <c>RowStart[r] … RowStart[r+1]−1</c>.</summary>
    public Tensor RowStart { get; private set; }

    /// <summary>int32 <c>[count]</c>: the column of each entry.</summary>
    public Tensor Column { get; private set; }

    /// <summary>int32 <c>[columns + 1]</c>: the transposed pattern's row starts (one row per weight column).</summary>
    public Tensor TransposedRowStart { get; private set; }

    /// <summary>int32 <c>[count]</c>: the weight row of each transposed entry.</summary>
    public Tensor TransposedColumn { get; private set; }

    /// <summary>int32 <c>[count]</c>: which value each transposed entry reads.</summary>
    public Tensor TransposedSlot { get; private set; }

    /// <summary>The kept positions of a 0/1 mask <c>[rows, columns]</c> (any dtype; non-zero means kept).</summary>
    public static SparsePattern FromMask(Tensor mask)
    {
        ArgumentNullException.ThrowIfNull(mask);
        if (mask.dim() != 2) throw new ArgumentException($"A sparse pattern is two-dimensional; the mask has shape [{string.Join(", ", mask.shape)}].", nameof(mask));
        using var scope = NewDisposeScope();
        var positions = mask.cpu().ne(0).nonzero(); // [count, 2], row-major order
        var rows = positions.select(1, 0);
        var rowStart = Starts(rows, mask.shape[0]).DetachFromDisposeScope();
        var column = positions.select(1, 1).to(ScalarType.Int32).contiguous().DetachFromDisposeScope();
        return new SparsePattern(mask.shape[0], mask.shape[1], rowStart, column);
    }

    /// <summary>Rebuilds the pattern from stored row starts and columns (a checkpoint's), checking that they describe one.</summary>
    /// <exception cref="ArgumentException">The arrays are not a valid compressed-row pattern of that shape.</exception>
    public static SparsePattern FromRows(long rows, long columns, Tensor rowStart, Tensor column)
    {
        Validate(rows, columns, rowStart, column);
        return new SparsePattern(rows, columns, rowStart.cpu().to(ScalarType.Int32).contiguous(), column.cpu().to(ScalarType.Int32).contiguous());
    }

    private static void Validate(long rows, long columns, Tensor rowStart, Tensor column)
    {
        ArgumentNullException.ThrowIfNull(rowStart);
        ArgumentNullException.ThrowIfNull(column);
        using var starts = rowStart.cpu().to(ScalarType.Int64);
        using var cols = column.cpu().to(ScalarType.Int64);
        if (starts.shape[0] != rows + 1 || starts[0].item<long>() != 0 || starts[rows].item<long>() != cols.shape[0])
            throw new ArgumentException($"The row starts do not describe {rows} rows of {cols.shape[0]} entries.");
        if (cols.shape[0] > 0 && (cols.min().item<long>() < 0 || cols.max().item<long>() >= columns))
            throw new ArgumentException($"A stored column lies outside 0…{columns - 1}.");
        using var lengths = RowLengths(starts, rows);
        if (lengths.lt(0).any().item<bool>()) throw new ArgumentException("The row starts decrease.");
        using var rowOf = RowOfEach(lengths, rows);
        using var flat = rowOf * columns + cols;
        using var unique = flat.unique().Item1;
        if (unique.shape[0] != flat.shape[0]) throw new ArgumentException("A position is stored twice.");
        using var sorted = flat.sort().Values;
        if (!sorted.eq(flat).all().item<bool>()) throw new ArgumentException("The entries are not in row-major order.");
    }

    /// <summary>int64 <c>[count]</c>: the row of each entry.</summary>
    public Tensor RowOfEntry()
    {
        using var starts = RowStart.to(ScalarType.Int64);
        using var lengths = RowLengths(starts, Rows);
        return RowOfEach(lengths, Rows);
    }

    // int64 [rows]: each row's entry count, from int64 row starts. Every view is disposed here: a handle left to the
    // finalizer keeps its storage resident until a GC.
    private static Tensor RowLengths(Tensor starts, long rows)
    {
        using var ends = starts.narrow(0, 1, rows);
        using var begins = starts.narrow(0, 0, rows);
        return ends - begins;
    }

    // int64 [count]: the row of each entry, from each row's entry count.
    private static Tensor RowOfEach(Tensor lengths, long rows)
    {
        using var row = arange(rows, ScalarType.Int64);
        return row.repeat_interleave(lengths);
    }

    /// <summary>int64 <c>[count]</c>: each entry's position in the flattened dense weight, <c>row · columns + column</c>.</summary>
    public Tensor FlatPositions()
    {
        using var rows = RowOfEntry();
        using var cols = Column.to(ScalarType.Int64);
        using var rowOffsets = rows * Columns;
        return rowOffsets + cols;
    }

    /// <summary>The dense <c>[rows, columns]</c> weight holding <paramref name="values"/> at the kept positions and zero elsewhere.</summary>
    public Tensor Scatter(Tensor values)
    {
        ArgumentNullException.ThrowIfNull(values);
        using var positions = FlatPositions();
        using var onDevice = positions.to(values.device);
        // Every temporary handle is disposed here: one left to the finalizer keeps its storage (a dense weight) resident.
        using var dense = zeros(Rows * Columns, values.dtype, values.device);
        using var filled = dense.index_copy_(0, onDevice, values);
        return dense.reshape(Rows, Columns);
    }

    /// <summary>The values of a dense <c>[rows, columns]</c> weight at the kept positions, in entry order.</summary>
    public Tensor Gather(Tensor dense)
    {
        ArgumentNullException.ThrowIfNull(dense);
        if (dense.shape.Length != 2 || dense.shape[0] != Rows || dense.shape[1] != Columns)
            throw new ArgumentException($"Expected a [{Rows}, {Columns}] weight, got [{string.Join(", ", dense.shape)}].", nameof(dense));
        using var positions = FlatPositions();
        using var onDevice = positions.to(dense.device);
        // The flat view is disposed here: left to the finalizer it would keep the whole dense weight resident until a GC
        // (about 0.26 GB for a width-1024 GPT built with sparse storage, whose dense draws are gathered and dropped).
        using var flat = dense.reshape(-1);
        return flat.index_select(0, onDevice);
    }

    /// <summary>The 0/1 float32 mask of the pattern.</summary>
    public Tensor ToMask()
    {
        using var ones = torch.ones(Count, ScalarType.Float32);
        return Scatter(ones);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        RowStart.Dispose();
        Column.Dispose();
        TransposedRowStart.Dispose();
        TransposedColumn.Dispose();
        TransposedSlot.Dispose();
    }

    private static Tensor Starts(Tensor index, long size)
    {
        using var counts = index.bincount(null, size);
        using var cumulative = counts.cumsum(0);
        using var zero = zeros(1, ScalarType.Int64);
        using var all = cat([zero, cumulative], 0);
        return all.to(ScalarType.Int32).contiguous();
    }
}
