namespace SparseDsl;

/// <summary>
/// Multi-head self-attention (causal unless <see cref="Causal"/> is false) over projected queries, keys and values, on a <c>partial</c> property of type
/// <see cref="ScaledAttention"/>. It has no projections of its own (declare the Q/K/V/output projections as layers);
/// what it scales is the attention logits: <c>qᵀk / d_head</c> under μP and SμPar, <c>qᵀk / √d_head</c> under SP
/// (Table 1). The head dimension stays fixed as the width grows, so the number of heads is <c>Dim / HeadDim</c>.
/// </summary>
/// <remarks>
/// Grouped-query attention: declare the key and value projections with <c>Out</c> equal to <see cref="KeyValueDim"/>
/// (for example <c>"width/4"</c>: four query heads share each key/value head at every width).
/// </remarks>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class AttentionAttribute : LayerAttribute<ScaledAttention>
{
    /// <summary>Model dimension of the queries (and the output) as a dimension expression. Default <c>"width"</c>.</summary>
    public string Dim { get; set; } = AttributeDefaults.Dimension;

    /// <summary>
    /// Dimension of the keys and values as a dimension expression; null (the default) means <see cref="Dim"/>, one key/value
    /// head per query head. A smaller one gives grouped-query attention; the query heads must be a multiple of the key/value heads.
    /// </summary>
    public string? KeyValueDim { get; set; }

    /// <summary>Head dimension d_head (the paper: 64). <see cref="Dim"/> must be divisible by it at every width built.</summary>
    public int HeadDim { get; set; } = AttributeDefaults.HeadDim;

    /// <summary>Position encoding: ALiBi (the default, the paper's), RoPE or none.</summary>
    public PositionEncoding Positions { get; set; } = PositionEncoding.Alibi;

    /// <summary>RoPE's frequency base θ (default 10000). Used when <see cref="Positions"/> is <see cref="PositionEncoding.Rope"/>.</summary>
    public double RopeTheta { get; set; } = AttributeDefaults.RopeTheta;

    /// <summary>
    /// Whether each position attends only to itself and earlier ones (a language model's mask; the default). False lets
    /// every position attend to every other, as a vision transformer's or an encoder's attention does; ALiBi then biases
    /// by the distance either way.
    /// </summary>
    public bool Causal { get; set; } = true;

    /// <summary>
    /// RMS-normalise each head's queries and keys before the logits, with learned gains of length d_head (QK-norm,
    /// Dehghani et al. 2023). The gains are finite-sized: norm rules, base learning rate, no decay.
    /// </summary>
    public bool QkNorm { get; set; }

    /// <inheritdoc />
    public override LayerDescription Describe(LayerContext context)
    {
        if (HeadDim <= 0) throw new ArgumentException($"HeadDim = {HeadDim}: the head dimension must be positive");
        if (!Enum.IsDefined(Positions)) throw new ArgumentException($"Positions = {(int)Positions} is not a PositionEncoding");
        if (Positions == PositionEncoding.Rope && (HeadDim % 2 != 0 || !(RopeTheta > 1) || !double.IsFinite(RopeTheta)))
            throw new ArgumentException($"RoPE rotates pairs of coordinates, so it needs an even HeadDim (not {HeadDim}) and RopeTheta > 1 (not {RopeTheta})");
        var dim = ParseDimension(nameof(Dim), Dim);
        var keyValueDim = KeyValueDim is null ? dim : ParseDimension(nameof(KeyValueDim), KeyValueDim);
        int queries = context.Resolve(dim), keysValues = context.Resolve(keyValueDim);
        if (queries % HeadDim != 0)
            throw new ArgumentException($"the attention dimension {queries} ({dim} at width {context.Width}) is not divisible by the head dimension {HeadDim}; choose a width that is a multiple of {HeadDim}");
        if (keysValues % HeadDim != 0 || (queries / HeadDim) % (keysValues / HeadDim) != 0)
            throw new ArgumentException($"the key/value dimension {keysValues} ({keyValueDim} at width {context.Width}) must be a whole number of heads of {HeadDim} that divides the {queries / HeadDim} query heads");
        var head = Dimension.Fixed(HeadDim);
        ParameterDeclaration[] gains = QkNorm ? [ParameterDeclaration.Gain("query_norm", head), ParameterDeclaration.Gain("key_norm", head)] : [];
        return new(dim, dim, gains)
        {
            Attention = new AttentionDescription("", queries / HeadDim, keysValues / HeadDim, HeadDim, context.Rules.AttentionScale(HeadDim), Positions, QkNorm, Causal),
        };
    }
}
