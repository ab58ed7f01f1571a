using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SparseDsl;

/// <summary>
/// Multi-head attention (causal unless the attribute's <see cref="AttentionAttribute.Causal"/> is false) over already-projected <c>q</c> of shape <c>[batch, time, dim]</c> and <c>k, v</c> of shape
/// <c>[batch, time, key/value dim]</c>, with logits <c>qᵀk · s</c> where <c>s</c> comes from
/// <see cref="ScalingRules.AttentionScale"/> (1/d_head under μP and SμPar, 1/√d_head under SP). Positions are ALiBi
/// biases, rotary embeddings of q and k, or none; grouped-query attention shares each key/value head among a group of
/// query heads; QK-norm RMS-normalises each head's q and k with learned gains (its only parameters,
/// <c>query_norm</c> and <c>key_norm</c>). Returns <c>[batch, time, dim]</c>.
/// </summary>
public sealed class ScaledAttention : Module<Tensor, Tensor, Tensor, Tensor>, IScaledLayer
{
    private readonly int heads;
    private readonly int keyValueHeads;
    private readonly int headDim;
    private readonly PositionEncoding positions;
    private readonly bool causal;
    private readonly double ropeTheta;
    private readonly LayerTensors tensors;
    private readonly Parameter? query_norm;
    private readonly Parameter? key_norm;
    private Tensor? cachedCos, cachedSin;
    private readonly double queryScale;
    // Made once: a double operand would become a native Scalar per call that only a finalizer frees (issue 24).
    private readonly Scalar queryScalar;
    private readonly double[] slopes;
    private Tensor? cachedBias;
    private HeadOmission? omission;

    /// <summary>Builds the attention from its plan; <paramref name="seed"/> and <paramref name="device"/> matter only for QK-norm gains.</summary>
    public ScaledAttention(LayerPlan plan, long seed = 0, Device? device = null) : base(plan.Name)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var attribute = plan.AttributeAs<AttentionAttribute>();
        var attention = plan.Attention ?? throw new ArgumentException($"Layer '{plan.Name}' has no attention plan.", nameof(plan));
        Plan = plan;
        heads = attention.Heads;
        keyValueHeads = attention.KeyValueHeads;
        headDim = attention.HeadDim;
        positions = attention.Positions;
        ropeTheta = attribute.RopeTheta;
        causal = attribute.Causal;
        // scaled_dot_product_attention always divides by √d_head; pre-scaling q by s·√d_head makes the net factor s.
        queryScale = attention.LogitScale * Math.Sqrt(headDim);
        queryScalar = queryScale.ToScalar();
        slopes = positions == PositionEncoding.Alibi ? AlibiSlopes(heads) : [];
        tensors = new LayerTensors(this, plan, seed, device);
        query_norm = tensors.Find("query_norm");
        key_norm = tensors.Find("key_norm");
    }

    /// <summary>Number of query heads.</summary>
    public int Heads => heads;

    /// <summary>Number of key/value heads (fewer than <see cref="Heads"/> under grouped-query attention).</summary>
    public int KeyValueHeads => keyValueHeads;

    /// <inheritdoc />
    public LayerPlan Plan { get; }

    /// <summary>The factor on <c>qᵀk</c>.</summary>
    public double LogitScale => Plan.Attention!.LogitScale;

    /// <summary>Dimension of one head, d_head.</summary>
    public int HeadDim => headDim;

    /// <summary>The SAT block omitting this attention's heads, or null.</summary>
    public HeadOmission? Omission => omission;

    /// <inheritdoc />
    public override Tensor forward(Tensor query, Tensor key, Tensor value)
    {
        using var scope = NewDisposeScope();
        long batch = query.shape[0], time = query.shape[1];
        // SAT: in a training step that omits heads, q, k and v hold the kept groups' heads only (their projections
        // gathered them), and each kept query head keeps its own ALiBi slope.
        var keptHeads = training && omission is { IsOmitting: true } sat ? sat.KeptHeadsForAttention() : null;
        int queryHeads = keptHeads is null ? heads : (int)keptHeads.shape[0];
        int keyValueCount = queryHeads / (heads / keyValueHeads);
        CheckShape("query", query, queryHeads, keptHeads is not null);
        CheckShape("key", key, keyValueCount, keptHeads is not null);
        CheckShape("value", value, keyValueCount, keptHeads is not null);
        Tensor Split(Tensor t, int n) => t.view(batch, time, n, headDim).transpose(1, 2);
        var q = Split(query, queryHeads);
        var k = Split(key, keyValueCount);
        var v = Split(value, keyValueCount);
        if (query_norm is not null && key_norm is not null)
        {
            q = ScaledNorm.RmsNorm(q, query_norm);
            k = ScaledNorm.RmsNorm(k, key_norm);
        }
        if (positions == PositionEncoding.Rope)
        {
            var (cos, sin) = RotaryTables(time, query.device, query.dtype);
            q = Rotate(q, cos, sin);
            k = Rotate(k, cos, sin);
        }
        q = q.mul(queryScalar);
        if (keyValueCount != queryHeads)
        {
            // Each key/value head serves heads/keyValueHeads consecutive query heads (also among the kept ones: SAT
            // keeps whole groups).
            int group = queryHeads / keyValueCount;
            k = k.unsqueeze(2).expand(batch, keyValueCount, group, time, headDim).reshape(batch, queryHeads, time, headDim);
            v = v.unsqueeze(2).expand(batch, keyValueCount, group, time, headDim).reshape(batch, queryHeads, time, headDim);
        }
        Tensor context;
        if (slopes.Length == 0)
            context = functional.scaled_dot_product_attention(q, k, v, is_casual: causal);
        else
        {
            var bias = AlibiBias(time, query.device, query.dtype);
            context = functional.scaled_dot_product_attention(q, k, v, keptHeads is null ? bias : bias.index_select(0, keptHeads));
        }
        return context.transpose(1, 2).reshape(batch, time, queryHeads * headDim).MoveToOuterDisposeScope();
    }

    private void CheckShape(string what, Tensor t, int expectedHeads, bool omitting)
    {
        if (t.shape[^1] == (long)expectedHeads * headDim) return;
        throw new ArgumentException($"Attention '{Plan.Name}': the {what} has {t.shape[^1]} features, but {expectedHeads} heads of {headDim} need {(long)expectedHeads * headDim}" +
                                    (omitting ? " (SAT keeps these heads in this step: every query, key and value projection of the block must be among its SAT inputs)." : "."));
    }

    internal void AttachOmission(HeadOmission block)
    {
        if (omission is not null && !ReferenceEquals(omission, block))
            throw new InvalidOperationException($"'{Plan.Name}' already belongs to SAT block '{omission.Name}'.");
        omission = block;
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

    // [heads, time, time]: −slope·|j − i| (equal to slope·(j − i) on and below the diagonal), and −∞ above it when causal.
    // Cached for the last length.
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
        var distance = (positions.unsqueeze(0) - positions.unsqueeze(1)).abs().neg(); // [i, j] = −|j − i|
        var slopeTensor = tensor(slopes.Select(s => (float)s).ToArray()).view(-1, 1, 1);
        var bias = slopeTensor * distance.unsqueeze(0);
        if (causal)
        {
            var future = ones(time, time, ScalarType.Bool).triu(1).unsqueeze(0);
            bias = bias.masked_fill(future, float.NegativeInfinity);
        }
        cachedBias = bias.to(dtype).to(device).DetachFromDisposeScope();
        return cachedBias;
    }

    // RoPE in the half-split form (GPT-NeoX, Llama): coordinate i pairs with i + d/2 and turns by position·θ^(−2i/d).
    private static Tensor Rotate(Tensor x, Tensor cos, Tensor sin)
    {
        long half = x.shape[^1] / 2;
        var first = x.narrow(-1, 0, half);
        var second = x.narrow(-1, half, half);
        var turned = cat([second.neg(), first], -1);
        return x.mul(cos).add(turned.mul(sin));
    }

    // [time, d_head] cosines and sines, cached for the last length, device and dtype like the ALiBi bias.
    private (Tensor Cos, Tensor Sin) RotaryTables(long time, Device device, ScalarType dtype)
    {
        if (cachedCos is { } c && cachedSin is { } s && c.shape[0] == time && c.device_type == device.type
            && c.device_index == device.index && c.dtype == dtype)
            return (c, s);
        cachedCos?.Dispose();
        cachedSin?.Dispose();
        using var scope = NewDisposeScope();
        var frequencies = tensor(Enumerable.Range(0, headDim / 2).Select(i => Math.Pow(ropeTheta, -2.0 * i / headDim)).ToArray());
        var angles = arange(time, ScalarType.Float64).unsqueeze(1).mul(frequencies.unsqueeze(0));
        angles = cat([angles, angles], -1);
        cachedCos = angles.cos().to(dtype).to(device).DetachFromDisposeScope();
        cachedSin = angles.sin().to(dtype).to(device).DetachFromDisposeScope();
        return (cachedCos, cachedSin);
    }

    /// <summary>The ALiBi bias built for the last sequence length (null before the first ALiBi call); for tests.</summary>
    internal Tensor? CachedAlibiBias => cachedBias;

    /// <inheritdoc />
    public IEnumerable<ScaledParameter> ScaledParameters() => tensors.Scaled();

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            cachedBias?.Dispose();
            cachedCos?.Dispose();
            cachedSin?.Dispose();
            queryScalar.Dispose();
        }
        base.Dispose(disposing);
    }
}
