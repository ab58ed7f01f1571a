using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SparseDsl;

/// <summary>
/// Causal multi-head attention over already-projected <c>q, k, v</c> of shape <c>[batch, time, dim]</c>, with logits
/// <c>qᵀk · s</c> where <c>s</c> comes from <see cref="ScalingRules.AttentionScale"/> (1/d_head under μP and SμPar,
/// 1/√d_head under SP), plus ALiBi biases when declared. No parameters. Returns <c>[batch, time, dim]</c>.
/// </summary>
public sealed class ScaledAttention : Module<Tensor, Tensor, Tensor, Tensor>, IScaledLayer
{
    private readonly int heads;
    private readonly int headDim;
    private readonly double queryScale;
    // Made once: a double operand would become a native Scalar per call that only a finalizer frees (issue 24).
    private readonly Scalar queryScalar;
    private readonly double[] slopes;
    private Tensor? cachedBias;

    /// <summary>Builds the attention from its plan. <paramref name="seed"/> and <paramref name="device"/> are unused (no parameters) and kept for a uniform layer constructor.</summary>
    public ScaledAttention(LayerPlan plan, long seed = 0, Device? device = null) : base(plan.Name)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.Declaration.Kind != LayerKind.Attention)
            throw new ArgumentException($"Layer '{plan.Name}' is a {plan.Declaration.Kind} layer, not attention.", nameof(plan));
        Plan = plan;
        heads = plan.Heads;
        headDim = plan.Declaration.HeadDim;
        // scaled_dot_product_attention always divides by √d_head; pre-scaling q by s·√d_head makes the net factor s.
        queryScale = plan.AttentionScale * Math.Sqrt(headDim);
        queryScalar = queryScale.ToScalar();
        slopes = plan.Declaration.Alibi ? AlibiSlopes(heads) : [];
    }

    /// <inheritdoc />
    public LayerPlan Plan { get; }

    /// <summary>The factor on <c>qᵀk</c>.</summary>
    public double LogitScale => Plan.AttentionScale;

    /// <inheritdoc />
    public override Tensor forward(Tensor query, Tensor key, Tensor value)
    {
        using var scope = NewDisposeScope();
        long batch = query.shape[0], time = query.shape[1];
        Tensor Split(Tensor t) => t.view(batch, time, heads, headDim).transpose(1, 2);
        var q = Split(query).mul(queryScalar);
        var k = Split(key);
        var v = Split(value);
        var context = slopes.Length == 0
            ? functional.scaled_dot_product_attention(q, k, v, is_casual: true)
            : functional.scaled_dot_product_attention(q, k, v, AlibiBias(time, query.device, query.dtype));
        return context.transpose(1, 2).reshape(batch, time, heads * headDim).MoveToOuterDisposeScope();
    }

    /// <summary>The ALiBi slopes of Press et al. (2022) for <paramref name="heads"/> heads: a geometric sequence starting at 2^(−8/n), interleaved for non-powers of two.</summary>
    public static double[] AlibiSlopes(int heads)
    {
        if (heads <= 0) throw new ArgumentOutOfRangeException(nameof(heads), heads, "Heads must be positive.");
        static double[] PowerOfTwo(int n) => Enumerable.Range(1, n).Select(i => Math.Pow(2, -8.0 * i / n)).ToArray();
        int closest = 1 << (int)Math.Floor(Math.Log2(heads));
        if (closest == heads) return PowerOfTwo(heads);
        var extra = PowerOfTwo(2 * closest).Where((_, i) => i % 2 == 0).Take(heads - closest);
        return [.. PowerOfTwo(closest), .. extra];
    }

    // [heads, time, time]: slope·(j − i) below and on the diagonal, −∞ above it (causal). Cached for the last length.
    private Tensor AlibiBias(long time, Device device, ScalarType dtype)
    {
        // Devices are compared by type and index: TorchSharp's Device has no value equality (tensor.device returns a
        // new object each time), so comparing Device objects missed the cache and rebuilt the bias on every call.
        if (cachedBias is { } cached && cached.shape[1] == time && cached.device_type == device.type
            && cached.device_index == device.index && cached.dtype == dtype)
            return cached;
        cachedBias?.Dispose();
        using var scope = NewDisposeScope();
        var positions = arange(time, ScalarType.Float32);
        var distance = positions.unsqueeze(0) - positions.unsqueeze(1); // [i, j] = j − i
        var slopeTensor = tensor(slopes.Select(s => (float)s).ToArray()).view(-1, 1, 1);
        var bias = slopeTensor * distance.unsqueeze(0);
        var future = ones(time, time, ScalarType.Bool).triu(1).unsqueeze(0);
        bias = bias.masked_fill(future, float.NegativeInfinity);
        cachedBias = bias.to(dtype).to(device).DetachFromDisposeScope();
        return cachedBias;
    }

    /// <summary>The ALiBi bias built for the last sequence length (null before the first ALiBi call); for tests.</summary>
    internal Tensor? CachedAlibiBias => cachedBias;

    /// <inheritdoc />
    public IEnumerable<ScaledParameter> ScaledParameters() => [];

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            cachedBias?.Dispose();
            queryScalar.Dispose();
        }
        base.Dispose(disposing);
    }
}
