using static TorchSharp.torch;

namespace SparseDsl;

/// <summary>
/// SAT for one attention block: which attention heads the current training step keeps. The unit is a key/value
/// group: one key/value head and the query heads that share it (one query head without grouped-query attention).
/// The first input projection (query, key or value) that runs in training mode scores the groups on its input; the
/// input projections then gather the kept groups' rows (query heads' rows of the query projection, key/value heads'
/// rows of the key and value projections), the attention runs on the kept heads only, and the output projection
/// gathers the kept query heads' columns. Omitted heads cost no multiply, in the projections or in the attention
/// itself, and get no gradient. In eval mode, at rate 0, and outside a trainer every head is used.
/// </summary>
/// <remarks>
/// Whole groups are kept or omitted so that a kept query head always has its key/value head and the gathered keys
/// and values are exact: under grouped-query attention a key/value head's gradient comes from all its query heads,
/// and omitting some of them would make it neither kept nor omitted. Without grouped-query attention a group is one
/// head. The schedule, scoring, selection and seeding are <see cref="UnitOmission"/>'s, shared with
/// <see cref="NeuronOmission"/>.
/// </remarks>
public sealed class HeadOmission : UnitOmission
{
    /// <summary>Attaches SAT to the heads of <paramref name="attention"/>, whose queries, keys and values <paramref name="inputs"/> produce and whose output <paramref name="outputs"/> read.</summary>
    /// <param name="name">The block's state-dict prefix (for messages and seeding), e.g. <c>blocks.0.attention.</c>.</param>
    /// <param name="settings">The block's SAT hyperparameters.</param>
    /// <param name="attention">The block's attention.</param>
    /// <param name="inputs">The query, key and value projections: each writes the query dimension or the key/value dimension.</param>
    /// <param name="outputs">The output projections: each reads the query dimension.</param>
    /// <param name="seed">The model seed.</param>
    public HeadOmission(string name, SparsityAcceleration settings, ScaledAttention attention, IReadOnlyList<ScaledLinear> inputs, IReadOnlyList<ScaledLinear> outputs, long seed)
        : base(name, settings, Groups(attention), inputs, outputs, seed)
    {
        Attention = attention;
        long queryDim = (long)attention.Heads * attention.HeadDim, keyValueDim = (long)attention.KeyValueHeads * attention.HeadDim;
        if (inputs.FirstOrDefault(l => l.Plan.OutFeatures != queryDim && l.Plan.OutFeatures != keyValueDim) is { } i)
            throw new ArgumentException($"SAT block '{Name}': '{i.Plan.Name}' writes {i.Plan.OutFeatures} features, neither the attention's {queryDim} query features nor its {keyValueDim} key/value features.");
        if (!inputs.Any(l => l.Plan.OutFeatures == queryDim))
            throw new ArgumentException($"SAT block '{Name}': no input projection writes the attention's {queryDim} query features.");
        if (inputs.Select(l => l.Plan.InFeatures).Distinct().Count() > 1)
            throw new ArgumentException($"SAT block '{Name}': the query, key and value projections read different inputs; SAT scores heads on one input.");
        if (outputs.FirstOrDefault(l => l.Plan.InFeatures != queryDim) is { } o)
            throw new ArgumentException($"SAT block '{Name}': '{o.Plan.Name}' reads {o.Plan.InFeatures} features but the attention writes {queryDim}.");
        CheckDivisible();
        foreach (var (layer, role) in Projections) layer.AttachOmission(this, role);
        attention.AttachOmission(this);
    }

    /// <summary>The block's attention.</summary>
    public ScaledAttention Attention { get; }

    /// <summary>Query heads of the full attention.</summary>
    public long Heads => Attention.Heads;

    /// <summary>Query heads per unit: the query heads sharing one key/value head (1 without grouped-query attention).</summary>
    public long HeadsPerGroup => Attention.Heads / Attention.KeyValueHeads;

    /// <inheritdoc />
    public override string UnitName => HeadsPerGroup == 1 ? "heads" : "head groups";

    /// <summary>The kept query heads (ascending int64), or null when none are selected.</summary>
    public Tensor? KeptHeads => Kept is null ? null : Expanded(HeadsPerGroup, Kept);

    /// <summary>The kept query heads, for the attention's forward; an input projection must have run first in this step.</summary>
    internal Tensor KeptHeadsForAttention() => Expanded(HeadsPerGroup, RequireSelection());

    private static long Groups(ScaledAttention attention)
    {
        ArgumentNullException.ThrowIfNull(attention);
        return attention.KeyValueHeads;
    }
}
