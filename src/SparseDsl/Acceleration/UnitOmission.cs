using static TorchSharp.torch;

namespace SparseDsl;

/// <summary>
/// SAT for one block: which of its units (an MLP's hidden neurons, or an attention block's heads) the current training
/// step keeps. This is the machinery both kinds share: the rate from the <see cref="LadderSchedule"/>, the importance
/// scores, the seeded selection, and the gathered index sets of each projection. The trainer calls
/// <see cref="BeginStep"/> before each optimizer step; the first expanding projection that runs in training mode then
/// scores the units on its input, and every projection gathers the rows (expanding) or columns (contracting) of its
/// weight and mask that belong to the kept units, so omitted units cost no multiply and get no gradient. In eval mode,
/// at rate 0, and outside a trainer the block is the full dense block.
/// </summary>
/// <remarks>
/// A unit may span several consecutive rows of a projection: an attention head is <c>d_head</c> rows of the query
/// projection, and under grouped-query attention a unit is a whole key/value group. A projection whose gathered axis
/// has <c>n</c> entries gives each unit <c>n / Units</c> consecutive ones. Importance is estimated once per optimizer
/// step (or every <see cref="SparsityAcceleration.ReestimateEvery"/> steps), from that step's first micro-batch;
/// later micro-batches of the step use the same units, so an accumulated gradient belongs to one sub-network. Random
/// draws are seeded by the model seed, the block and the step, so a resumed run keeps the same units as an
/// uninterrupted one.
/// </remarks>
public abstract class UnitOmission : IDisposable
{
    private readonly ScaledLinear[] _expanding;
    private readonly ScaledLinear[] _contracting;
    private readonly long _seed;
    // Gathered indices per entries-per-unit (a projection's gathered axis / Units), for the current selection.
    private readonly Dictionary<long, Tensor> _expanded = [];
    private SparsityAcceleration _settings;
    private Tensor? _kept;
    private Tensor? _omitted;
    private long _step;
    private long _selectedAtStep;
    private bool _selectionDue;

    /// <summary>Attaches SAT to a block of <paramref name="units"/> units produced by <paramref name="expanding"/> and read by <paramref name="contracting"/>.</summary>
    /// <param name="name">The block's state-dict prefix (for messages and seeding), e.g. <c>blocks.0.mlp.</c>.</param>
    /// <param name="settings">The block's SAT hyperparameters.</param>
    /// <param name="units">How many units the block has (hidden neurons, or key/value groups of heads).</param>
    /// <param name="expanding">Projections whose output rows belong to the units.</param>
    /// <param name="contracting">Projections whose input columns belong to the units.</param>
    /// <param name="seed">The model seed.</param>
    protected UnitOmission(string name, SparsityAcceleration settings, long units, IReadOnlyList<ScaledLinear> expanding, IReadOnlyList<ScaledLinear> contracting, long seed)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(expanding);
        ArgumentNullException.ThrowIfNull(contracting);
        settings.Validate();
        Name = name.TrimEnd('.');
        if (units < 1) throw new ArgumentOutOfRangeException(nameof(units), units, $"SAT block '{Name}' needs at least one unit.");
        if (expanding.Count == 0 || contracting.Count == 0)
            throw new ArgumentException($"SAT block '{Name}' needs at least one expanding and one contracting projection.");
        foreach (var layer in expanding.Concat(contracting))
            if (layer.IsTied) throw new ArgumentException($"SAT block '{Name}': '{layer.Plan.Name}' is a tied readout, not a block projection.");
        Units = units;
        _expanding = [.. expanding];
        _contracting = [.. contracting];
        _settings = Declared = settings;
        _seed = seed;
    }

    /// <summary>The block's state-dict prefix.</summary>
    public string Name { get; }

    /// <summary>Units of the full block: what the omission rate is a fraction of.</summary>
    public long Units { get; }

    /// <summary>What a unit is, in words (<c>neurons</c>, <c>heads</c>), for progress lines and messages.</summary>
    public abstract string UnitName { get; }

    /// <summary>The settings the block was built with (its attribute's).</summary>
    public SparsityAcceleration Declared { get; }

    /// <summary>The block's SAT hyperparameters; setting them (a run's override) drops the current selection.</summary>
    public SparsityAcceleration Settings
    {
        get => _settings;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            value.Validate();
            _settings = value;
            EndTraining();
        }
    }

    /// <summary>The omission rate of the current step (0: dense).</summary>
    public double Rate { get; private set; }

    /// <summary>Units the current step keeps: <c>max(1, round((1 − rate) · units))</c>.</summary>
    public long KeptCount => KeepCount(Rate);

    /// <summary>Whether training-mode forwards of this block currently run on a subset of the units.</summary>
    public bool IsOmitting => KeptCount < Units;

    /// <summary>The kept units (ascending int64), or null before the step's first forward or when dense.</summary>
    public Tensor? Kept => _kept;

    /// <summary>The omitted units (ascending int64), or null when none are selected.</summary>
    public Tensor? Omitted => _omitted;

    /// <summary>The projections on each side of the units.</summary>
    public IEnumerable<(ScaledLinear Layer, OmissionRole Role)> Projections =>
        _expanding.Select(l => (l, OmissionRole.Expanding)).Concat(_contracting.Select(l => (l, OmissionRole.Contracting)));

    /// <summary>The projections whose rows are the units, in declaration order.</summary>
    protected IReadOnlyList<ScaledLinear> Expanding => _expanding;

    /// <summary>Sets the rate for optimizer step <paramref name="step"/> of <paramref name="totalSteps"/> and schedules re-estimation when due.</summary>
    public void BeginStep(long step, long totalSteps)
    {
        double rate = _settings.Schedule.Rate(step, totalSteps);
        long keep = KeepCount(rate);
        _step = step;
        if (keep >= Units)
        {
            EndTraining();
            return;
        }
        bool countChanged = _kept is null || _kept.shape[0] != keep;
        Rate = rate;
        if (countChanged || step - _selectedAtStep >= _settings.ReestimateEvery) _selectionDue = true;
    }

    /// <summary>Back to the dense block: rate 0, no selection.</summary>
    public void EndTraining()
    {
        Rate = 0;
        _selectionDue = false;
        DropSelection();
    }

    /// <summary>Disposes the current selection.</summary>
    public void Dispose()
    {
        EndTraining();
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// The kept units' entries along <paramref name="layer"/>'s gathered axis (rows for an expanding projection,
    /// columns for a contracting one), ascending: each kept unit <c>u</c> gives <c>u·n … u·n + n − 1</c> with
    /// <c>n</c> = the axis length / <see cref="Units"/>. Null when no units are selected. The tensor belongs to this
    /// omission and is freed with the selection.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="layer"/> is not one of this block's projections.</exception>
    public Tensor? KeptIndices(ScaledLinear layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        var role = _expanding.Contains(layer) ? OmissionRole.Expanding
            : _contracting.Contains(layer) ? OmissionRole.Contracting
            : throw new ArgumentException($"'{layer.Plan.Name}' is not a projection of SAT block '{Name}'.", nameof(layer));
        return _kept is null ? null : Expanded(EntriesPerUnit(layer, role), _kept);
    }

    /// <summary>The rows of <paramref name="layer"/> (expanding) that the step keeps; selects the units first when due, scoring them on <paramref name="input"/>.</summary>
    internal Tensor RowsFor(ScaledLinear layer, Tensor input)
    {
        if (_selectionDue || _kept is null) Select(input);
        return Expanded(EntriesPerUnit(layer, OmissionRole.Expanding));
    }

    /// <summary>The columns of <paramref name="layer"/> (contracting) that the step keeps; an expanding projection must have run first in this step.</summary>
    internal Tensor ColumnsFor(ScaledLinear layer) => Expanded(EntriesPerUnit(layer, OmissionRole.Contracting), RequireSelection());

    /// <summary>The kept units, for a consumer of the gathered layer (an attention reading gathered heads); an expanding projection must have run first in this step.</summary>
    protected Tensor RequireSelection() =>
        _selectionDue || _kept is null
            ? throw new InvalidOperationException($"SAT block '{Name}': a layer that reads the kept {UnitName} ran before any expanding projection in this step; the block's forward must compute them before reading them.")
            : _kept;

    /// <summary>The kept units expanded to <paramref name="perUnit"/> consecutive entries each (the units themselves for 1).</summary>
    protected Tensor Expanded(long perUnit, Tensor? kept = null)
    {
        kept ??= RequireSelection();
        if (perUnit == 1) return kept;
        if (_expanded.TryGetValue(perUnit, out var cached)) return cached;
        using var scope = NewDisposeScope();
        var offsets = arange(perUnit, ScalarType.Int64, kept.device);
        var entries = kept.unsqueeze(1).mul(perUnit).add(offsets.unsqueeze(0)).flatten();
        // Like the selection, this outlives the forward pass (and its dispose scope) that made it.
        return _expanded[perUnit] = entries.DetachFromDisposeScope();
    }

    /// <summary>One importance score per unit, float32, without gradients; higher is kept first.</summary>
    /// <param name="input">The block's input on this step's first micro-batch (<c>[…, in]</c>).</param>
    protected virtual Tensor Scores(Tensor input) =>
        NeuronImportanceScores.Compute(_settings.Metric, input, [.. _expanding.Select(l => l.ReadableWeight())], Units);

    private long EntriesPerUnit(ScaledLinear layer, OmissionRole role)
    {
        long entries = role == OmissionRole.Expanding ? layer.Plan.OutFeatures : layer.Plan.InFeatures;
        return entries / Units;
    }

    private void Select(Tensor input)
    {
        long keep = KeptCount;
        using var scores = Scores(input);
        using var generator = new Generator(SeededInit.DeriveSeed(_seed, Name, "sat-step-" + _step), CPU);
        var (kept, omitted) = NeuronSelector.Split(scores, keep, _settings.Selection, generator, random: _settings.Metric == NeuronImportance.Uniform);
        DropSelection();
        // The selection outlives the forward pass (and its dispose scope) that made it: it is freed by the next one.
        _kept = kept.DetachFromDisposeScope();
        _omitted = omitted.DetachFromDisposeScope();
        _selectedAtStep = _step;
        _selectionDue = false;
    }

    private void DropSelection()
    {
        foreach (var entries in _expanded.Values) entries.Dispose();
        _expanded.Clear();
        _kept?.Dispose();
        _omitted?.Dispose();
        _kept = _omitted = null;
    }

    /// <summary>Checks that every projection's gathered axis holds a whole number of entries per unit.</summary>
    protected void CheckDivisible()
    {
        foreach (var (layer, role) in Projections)
        {
            long entries = role == OmissionRole.Expanding ? layer.Plan.OutFeatures : layer.Plan.InFeatures;
            if (entries % Units != 0)
                throw new ArgumentException($"SAT block '{Name}': '{layer.Plan.Name}' has {entries} {(role == OmissionRole.Expanding ? "outputs" : "inputs")}, not a whole number per each of the {Units} {UnitName}.");
        }
    }

    private long KeepCount(double rate) => rate == 0 ? Units : Math.Max(1, (long)Math.Round((1 - rate) * Units, MidpointRounding.ToEven));
}
