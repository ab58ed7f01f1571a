using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace SparseDsl;

/// <summary>
/// One sparse matrix in compressed-row form on raw memory: row <c>r</c>'s entries are <c>RowStart[r] … RowStart[r+1]-1</c>,
/// entry <c>k</c> sits in column <c>Column[k]</c> and holds <c>Values[ValueIndex?[k] ?? k]</c>. The indirection lets the
/// transposed pattern read the same values vector as the pattern itself.
/// </summary>
internal readonly unsafe struct CsrView(int* rowStart, int* column, int* valueIndex, float* values)
{
    public readonly int* RowStart = rowStart;
    public readonly int* Column = column;
    public readonly int* ValueIndex = valueIndex;
    public readonly float* Values = values;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Slot(int k) => ValueIndex == null ? k : ValueIndex[k];
}

/// <summary>
/// The two products a sparse linear layer needs, on row-major float32 memory, vectorised over tokens:
/// <list type="bullet">
/// <item><see cref="Multiply"/>: <c>Y = X·Aᵀ</c> with A sparse <c>[r, k]</c>, X <c>[tokens, k]</c>, Y <c>[tokens, r]</c>: the
/// forward <c>y = x Wᵀ</c> (A = W) and the input gradient <c>dx = dy W</c> (A = Wᵀ).</item>
/// <item><see cref="SampledProduct"/>: <c>A's pattern ⊙ (Gᵀ·X)</c>, one dot product over tokens per stored entry (SDDMM):
/// the weight gradient at the kept positions only.</item>
/// </list>
/// Both take an optional list of A's rows to compute (SAT's kept units; output column j is row <c>rows[j]</c>) and an
/// optional map from A's columns to columns of the dense operand (−1: absent, its entries are skipped), so an omitted
/// unit costs nothing.
/// </summary>
/// <remarks>
/// Each thread transposes a 64-token tile of its dense operand into a private buffer, so the inner loop is eight
/// independent 8-wide FMA chains per stored entry over contiguous memory, and no full transpose is ever materialised.
/// Every output element is computed by one thread in a fixed order, so results do not depend on the thread count and
/// are bit-identical between runs on the same machine.
/// </remarks>
internal static unsafe class SparseKernels
{
    // 8 vectors of 8 floats: 8 independent FMA chains per stored entry, held in registers (AVX2 has 16).
    private const int Tile = 64;
    // Output columns gathered before they are written out, so each token's row is written 16 floats (a cache line) at a time.
    private const int Group = 16;

    /// <summary>
    /// <c>Y[t, j] = Σ_e A[r, col e] · X[t, map(col e)]</c> for <c>j &lt; outColumns</c>, <c>r = rows?[j] ?? j</c>, where X is
    /// <c>[n, xColumns]</c> and Y <c>[n, outColumns]</c>.
    /// </summary>
    public static void Multiply(CsrView a, int* rows, int outColumns, int* columnMap, float* x, int xColumns, float* y, int n)
    {
        int tiles = (n + Tile - 1) / Tile;
        var work = new MultiplyWork(a, rows, outColumns, columnMap, x, xColumns, y, n);
        int threads = Threads();
        int parts = Math.Min(tiles, threads * PartsPerThread);
        if (threads <= 1 || parts <= 1) { work.Run(0, tiles); return; }
        // Contiguous runs of tiles, several per thread and taken as threads come free, so a core another process holds
        // delays one part, not a whole thread's share. Each tile's outputs are computed by one thread whatever the split.
        Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = threads },
            p => work.Run((int)((long)tiles * p / parts), (int)((long)tiles * (p + 1) / parts)));
    }

    /// <summary>
    /// <c>gradient[slot(e)] = Σ_t G[t, j] · X[t, map(col e)]</c> for every entry e of row <c>r = rows?[j] ?? j</c>,
    /// <c>j &lt; gColumns</c>, with G <c>[n, gColumns]</c> and X <c>[n, xColumns]</c>. Entries whose column map is negative,
    /// and rows not listed, are not written (the caller zeroes the gradient first).
    /// </summary>
    public static void SampledProduct(CsrView a, int* rows, int gColumns, int* columnMap, float* g, float* x, int xColumns, int n, float* gradient)
    {
        // One part per thread: every part transposes the whole of X and G tile by tile, so more parts would repeat that work.
        int parts = Math.Min(Math.Max(1, gColumns / Group), Threads());
        var work = new SampledWork(a, rows, gColumns, columnMap, g, x, xColumns, n, gradient);
        if (parts <= 1) { work.Run(0, gColumns); return; }
        Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts },
            p => work.Run((int)((long)gColumns * p / parts), (int)((long)gColumns * (p + 1) / parts)));
    }

    // Parts per torch thread: enough that a delayed thread's parts are taken over, few enough that each part's tile
    // buffers and scheduling stay a small cost.
    private const int PartsPerThread = 4;

    private static int Threads() => Math.Max(1, TorchSharp.torch.get_num_threads());

    // Copies tokens t0 … t0+width−1 of the row-major [n, columns] matrix m into tile[c · 64 + i]; pads with zeros.
    private static void TransposeTile(float* m, int columns, int t0, int width, float* tile)
    {
        for (int i = 0; i < width; i++)
        {
            float* source = m + (long)(t0 + i) * columns;
            for (int c = 0; c < columns; c++) tile[(long)c * Tile + i] = source[c];
        }
        if (width < Tile)
            for (int c = 0; c < columns; c++)
                for (int i = width; i < Tile; i++) tile[(long)c * Tile + i] = 0f;
    }

    private readonly struct MultiplyWork(CsrView a, int* rows, int outColumns, int* columnMap, float* x, int xColumns, float* y, int n)
    {
        private readonly CsrView a = a;
        private readonly int* rows = rows, columnMap = columnMap;
        private readonly float* x = x, y = y;
        private readonly int outColumns = outColumns, xColumns = xColumns, n = n;

        public void Run(int firstTile, int lastTile)
        {
            float* tile = (float*)NativeMemory.AlignedAlloc((nuint)((long)xColumns * Tile * sizeof(float)), 64);
            float* gathered = (float*)NativeMemory.AlignedAlloc(Group * Tile * sizeof(float), 64);
            try
            {
                for (int tIndex = firstTile; tIndex < lastTile; tIndex++)
                {
                    int t0 = tIndex * Tile, width = Math.Min(Tile, n - t0);
                    TransposeTile(x, xColumns, t0, width, tile);
                    for (int j0 = 0; j0 < outColumns; j0 += Group)
                    {
                        int count = Math.Min(Group, outColumns - j0);
                        for (int q = 0; q < count; q++)
                            RowTile(rows == null ? j0 + q : rows[j0 + q], tile, gathered + q * Tile);
                        for (int i = 0; i < width; i++)
                        {
                            float* target = y + (long)(t0 + i) * outColumns + j0;
                            for (int q = 0; q < count; q++) target[q] = gathered[q * Tile + i];
                        }
                    }
                }
            }
            finally
            {
                NativeMemory.AlignedFree(tile);
                NativeMemory.AlignedFree(gathered);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void RowTile(int r, float* tile, float* output)
        {
            Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
            for (int k = a.RowStart[r], end = a.RowStart[r + 1]; k < end; k++)
            {
                int source = columnMap == null ? a.Column[k] : columnMap[a.Column[k]];
                if (source < 0) continue;
                var v = Vector256.Create(a.Values[a.Slot(k)]);
                float* p = tile + (long)source * Tile;
                s0 = Vector256.FusedMultiplyAdd(v, Vector256.LoadAligned(p), s0);
                s1 = Vector256.FusedMultiplyAdd(v, Vector256.LoadAligned(p + 8), s1);
                s2 = Vector256.FusedMultiplyAdd(v, Vector256.LoadAligned(p + 16), s2);
                s3 = Vector256.FusedMultiplyAdd(v, Vector256.LoadAligned(p + 24), s3);
                s4 = Vector256.FusedMultiplyAdd(v, Vector256.LoadAligned(p + 32), s4);
                s5 = Vector256.FusedMultiplyAdd(v, Vector256.LoadAligned(p + 40), s5);
                s6 = Vector256.FusedMultiplyAdd(v, Vector256.LoadAligned(p + 48), s6);
                s7 = Vector256.FusedMultiplyAdd(v, Vector256.LoadAligned(p + 56), s7);
            }
            s0.StoreAligned(output); s1.StoreAligned(output + 8); s2.StoreAligned(output + 16); s3.StoreAligned(output + 24);
            s4.StoreAligned(output + 32); s5.StoreAligned(output + 40); s6.StoreAligned(output + 48); s7.StoreAligned(output + 56);
        }
    }

    private readonly struct SampledWork(CsrView a, int* rows, int gColumns, int* columnMap, float* g, float* x, int xColumns, int n, float* gradient)
    {
        private readonly CsrView a = a;
        private readonly int* rows = rows, columnMap = columnMap;
        private readonly float* g = g, x = x, gradient = gradient;
        private readonly int gColumns = gColumns, xColumns = xColumns, n = n;

        public void Run(int first, int last)
        {
            float* xTile = (float*)NativeMemory.AlignedAlloc((nuint)((long)xColumns * Tile * sizeof(float)), 64);
            float* gTile = (float*)NativeMemory.AlignedAlloc((nuint)((long)gColumns * Tile * sizeof(float)), 64);
            try
            {
                for (int t0 = 0; t0 < n; t0 += Tile)
                {
                    int width = Math.Min(Tile, n - t0);
                    TransposeTile(x, xColumns, t0, width, xTile);
                    TransposeRange(t0, width, first, last, gTile);
                    for (int j = first; j < last; j++)
                    {
                        int r = rows == null ? j : rows[j];
                        float* gradRow = gTile + (long)(j - first) * Tile;
                        for (int k = a.RowStart[r], end = a.RowStart[r + 1]; k < end; k++)
                        {
                            int source = columnMap == null ? a.Column[k] : columnMap[a.Column[k]];
                            if (source < 0) continue;
                            float partial = Dot(gradRow, xTile + (long)source * Tile);
                            int slot = a.Slot(k);
                            gradient[slot] = t0 == 0 ? partial : gradient[slot] + partial;
                        }
                    }
                }
            }
            finally
            {
                NativeMemory.AlignedFree(xTile);
                NativeMemory.AlignedFree(gTile);
            }
        }

        // G's columns first … last−1 of the tile's tokens, as rows of 64 (zero-padded).
        private void TransposeRange(int t0, int width, int first, int last, float* tile)
        {
            for (int i = 0; i < width; i++)
            {
                float* source = g + (long)(t0 + i) * gColumns;
                for (int j = first; j < last; j++) tile[(long)(j - first) * Tile + i] = source[j];
            }
            if (width < Tile)
                for (int j = first; j < last; j++)
                    for (int i = width; i < Tile; i++) tile[(long)(j - first) * Tile + i] = 0f;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static float Dot(float* p, float* q)
        {
            var s0 = Vector256.LoadAligned(p) * Vector256.LoadAligned(q);
            var s1 = Vector256.LoadAligned(p + 8) * Vector256.LoadAligned(q + 8);
            s0 = Vector256.FusedMultiplyAdd(Vector256.LoadAligned(p + 16), Vector256.LoadAligned(q + 16), s0);
            s1 = Vector256.FusedMultiplyAdd(Vector256.LoadAligned(p + 24), Vector256.LoadAligned(q + 24), s1);
            s0 = Vector256.FusedMultiplyAdd(Vector256.LoadAligned(p + 32), Vector256.LoadAligned(q + 32), s0);
            s1 = Vector256.FusedMultiplyAdd(Vector256.LoadAligned(p + 40), Vector256.LoadAligned(q + 40), s1);
            s0 = Vector256.FusedMultiplyAdd(Vector256.LoadAligned(p + 48), Vector256.LoadAligned(q + 48), s0);
            s1 = Vector256.FusedMultiplyAdd(Vector256.LoadAligned(p + 56), Vector256.LoadAligned(q + 56), s1);
            return Vector256.Sum(s0 + s1);
        }
    }
}
