namespace SparseDsl;

/// <summary>
/// SAT for one MLP block: which hidden neurons the current training step keeps. The first expanding projection (gate,
/// up) that runs in training mode scores the neurons on its input; the expanding projections then gather the kept
/// rows of their weights and masks and the contracting ones (down) the kept columns, so omitted neurons cost no
/// multiply and get no gradient. In eval mode, at rate 0, and outside a trainer the block is the full dense MLP.
/// </summary>
/// <remarks>The schedule, scoring, selection and seeding are <see cref="UnitOmission"/>'s, shared with <see cref="HeadOmission"/>.</remarks>
public sealed class NeuronOmission : UnitOmission
{
    /// <summary>Attaches SAT to an MLP whose hidden layer is produced by <paramref name="expanding"/> and read by <paramref name="contracting"/>.</summary>
    /// <param name="name">The block's state-dict prefix (for messages and seeding), e.g. <c>blocks.0.mlp.</c>.</param>
    /// <param name="settings">The block's SAT hyperparameters.</param>
    /// <param name="expanding">Projections whose outputs are the hidden neurons (rows).</param>
    /// <param name="contracting">Projections whose inputs are the hidden neurons (columns).</param>
    /// <param name="seed">The model seed.</param>
    public NeuronOmission(string name, SparsityAcceleration settings, IReadOnlyList<ScaledLinear> expanding, IReadOnlyList<ScaledLinear> contracting, long seed)
        : base(name, settings, HiddenNeurons(name, expanding), expanding, contracting, seed)
    {
        if (expanding.FirstOrDefault(l => l.Plan.OutFeatures != Neurons) is { } e)
            throw new ArgumentException($"SAT block '{Name}': '{e.Plan.Name}' has {e.Plan.OutFeatures} outputs but the hidden layer has {Neurons} neurons.");
        if (contracting.FirstOrDefault(l => l.Plan.InFeatures != Neurons) is { } c)
            throw new ArgumentException($"SAT block '{Name}': '{c.Plan.Name}' reads {c.Plan.InFeatures} inputs but the hidden layer has {Neurons} neurons.");
        foreach (var (layer, role) in Projections) layer.AttachOmission(this, role);
    }

    /// <summary>Hidden neurons of the full MLP (its <see cref="UnitOmission.Units"/>).</summary>
    public long Neurons => Units;

    /// <inheritdoc />
    public override string UnitName => "neurons";

    private static long HiddenNeurons(string name, IReadOnlyList<ScaledLinear> expanding)
    {
        ArgumentNullException.ThrowIfNull(expanding);
        return expanding.Count == 0
            ? throw new ArgumentException($"SAT block '{name.TrimEnd('.')}' needs at least one expanding and one contracting projection.")
            : expanding[0].Plan.OutFeatures;
    }
}
