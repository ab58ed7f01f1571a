using static TorchSharp.torch;

namespace SparseDsl;

/// <summary>
/// The rows (SAT expanding projection) or columns (contracting projection) of a sparse weight that a step keeps, with
/// the inverse map (−1 where omitted) that lets the sparse products skip omitted entries without building a sub-pattern.
/// </summary>
internal sealed class SparseSelection : IDisposable
{
    private SparseSelection(bool rows, Tensor kept, Tensor map)
    {
        IsRows = rows;
        Kept = kept;
        Map = map;
    }

    /// <summary>Whether rows (outputs) are selected; otherwise columns (inputs).</summary>
    public bool IsRows { get; }

    /// <summary>int32 <c>[kept]</c>: the kept rows or columns, in the order of the gathered activations.</summary>
    public Tensor Kept { get; }

    /// <summary>int32 <c>[rows or columns]</c>: the position of each row or column in <see cref="Kept"/>, or −1.</summary>
    public Tensor Map { get; }

    /// <summary>The selection of <paramref name="kept"/> (int64 indices) among <paramref name="size"/> rows or columns.</summary>
    public static SparseSelection Of(bool rows, Tensor kept, long size)
    {
        using var scope = NewDisposeScope();
        var keptCpu = kept.cpu().to(ScalarType.Int64);
        var map = full(size, -1, ScalarType.Int32);
        map.index_copy_(0, keptCpu, arange(keptCpu.shape[0], ScalarType.Int32));
        return new SparseSelection(rows, keptCpu.to(ScalarType.Int32).contiguous().DetachFromDisposeScope(), map.DetachFromDisposeScope());
    }

    /// <summary>int64: the value slots of <paramref name="pattern"/> that the kept rows or columns own, in ascending order.</summary>
    public Tensor Slots(SparsePattern pattern)
    {
        using var scope = NewDisposeScope();
        var owner = IsRows ? pattern.RowOfEntry() : pattern.Column.to(ScalarType.Int64);
        var keep = Map.to(ScalarType.Int64).index_select(0, owner).ge(0);
        return keep.nonzero().flatten().MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        Kept.Dispose();
        Map.Dispose();
    }
}
