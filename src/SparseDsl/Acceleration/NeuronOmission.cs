using static TorchSharp.torch;

namespace SparseDsl;

/// <summary>
/// SAT for one MLP block: which hidden neurons the current training step keeps. The trainer calls
/// <see cref="BeginStep"/> before each optimizer step; the first expanding projection that runs in training mode then
/// scores the neurons on its input and the block's projections gather the kept rows (expanding) or columns
/// (contracting) of their weights and masks, so omitted neurons cost no multiply and get no gradient. In eval mode, at
/// rate 0, and outside a trainer the block is the full dense MLP.
/// </summary>
/// <remarks>
/// Importance is estimated once per optimizer step (or every <see cref="SparsityAcceleration.ReestimateEvery"/>
/// steps), from that step's first micro-batch; later micro-batches of the step use the same neurons, so an
/// accumulated gradient belongs to one sub-network. Random draws are seeded by the model seed, the block and the step,
/// so a resumed run keeps the same neurons as an uninterrupted one.
/// </remarks>
public sealed class NeuronOmission : IDisposable
{
    private readonly ScaledLinear[] _expanding;
    private readonly ScaledLinear[] _contracting;
    private readonly long _seed;
    private SparsityAcceleration _settings;
    private Tensor? _kept;
    private Tensor? _omitted;
    private long _step;
    private long _selectedAtStep;
    private bool _selectionDue;

    /// <summary>Attaches SAT to an MLP whose hidden layer is produced by <paramref name="expanding"/> and read by <paramref name="contracting"/>.</summary>
    /// <param name="name">The block's state-dict prefix (for messages and seeding), e.g. <c>blocks.0.mlp.</c>.</param>
    /// <param name="settings">The block's SAT hyperparameters.</param>
    /// <param name="expanding">Projections whose outputs are the hidden neurons (rows).</param>
    /// <param name="contracting">Projections whose inputs are the hidden neurons (columns).</param>
    /// <param name="seed">The model seed.</param>
    public NeuronOmission(string name, SparsityAcceleration settings, IReadOnlyList<ScaledLinear> expanding, IReadOnlyList<ScaledLinear> contracting, long seed)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(expanding);
        ArgumentNullException.ThrowIfNull(contracting);
        settings.Validate();
        if (expanding.Count == 0 || contracting.Count == 0)
            throw new ArgumentException($"SAT block '{name}' needs at least one expanding and one contracting projection.");
        Name = name.TrimEnd('.');
        Neurons = expanding[0].Plan.OutFeatures;
        foreach (var layer in expanding.Concat(contracting))
            if (layer.IsTied) throw new ArgumentException($"SAT block '{name}': '{layer.Plan.Name}' is a tied readout, not an MLP projection.");
        if (expanding.FirstOrDefault(l => l.Plan.OutFeatures != Neurons) is { } e)
            throw new ArgumentException($"SAT block '{name}': '{e.Plan.Name}' has {e.Plan.OutFeatures} outputs but the hidden layer has {Neurons} neurons.");
        if (contracting.FirstOrDefault(l => l.Plan.InFeatures != Neurons) is { } c)
            throw new ArgumentException($"SAT block '{name}': '{c.Plan.Name}' reads {c.Plan.InFeatures} inputs but the hidden layer has {Neurons} neurons.");
        _expanding = [.. expanding];
        _contracting = [.. contracting];
        _settings = Declared = settings;
        _seed = seed;
        foreach (var layer in _expanding) layer.AttachOmission(this, OmissionRole.Expanding);
        foreach (var layer in _contracting) layer.AttachOmission(this, OmissionRole.Contracting);
    }

    /// <summary>The block's state-dict prefix.</summary>
    public string Name { get; }

    /// <summary>Hidden neurons of the full MLP.</summary>
    public long Neurons { get; }

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

    /// <summary>Neurons the current step keeps: <c>max(1, round((1 − rate) · neurons))</c>.</summary>
    public long KeptCount => KeepCount(Rate);

    /// <summary>Whether training-mode forwards of this block currently run on a subset of the neurons.</summary>
    public bool IsOmitting => KeptCount < Neurons;

    /// <summary>The kept neurons (ascending int64), or null before the step's first forward or when dense.</summary>
    public Tensor? Kept => _kept;

    /// <summary>The omitted neurons (ascending int64), or null when none are selected.</summary>
    public Tensor? Omitted => _omitted;

    /// <summary>The projections on each side of the hidden layer.</summary>
    public IEnumerable<(ScaledLinear Layer, OmissionRole Role)> Projections =>
        _expanding.Select(l => (l, OmissionRole.Expanding)).Concat(_contracting.Select(l => (l, OmissionRole.Contracting)));

    /// <summary>Sets the rate for optimizer step <paramref name="step"/> of <paramref name="totalSteps"/> and schedules re-estimation when due.</summary>
    public void BeginStep(long step, long totalSteps)
    {
        double rate = _settings.Schedule.Rate(step, totalSteps);
        long keep = KeepCount(rate);
        _step = step;
        if (keep >= Neurons)
        {
            EndTraining();
            return;
        }
        bool countChanged = _kept is null || _kept.shape[0] != keep;
        Rate = rate;
        if (countChanged || step - _selectedAtStep >= _settings.ReestimateEvery) _selectionDue = true;
    }

    /// <summary>Back to the dense MLP: rate 0, no selection.</summary>
    public void EndTraining()
    {
        Rate = 0;
        _selectionDue = false;
        _kept?.Dispose();
        _omitted?.Dispose();
        _kept = _omitted = null;
    }

    /// <summary>Disposes the current selection.</summary>
    public void Dispose() => EndTraining();

    /// <summary>The kept neurons for an expanding projection reading <paramref name="input"/>; selects them first when due.</summary>
    internal Tensor KeptFor(Tensor input)
    {
        if (_selectionDue || _kept is null) Select(input);
        return _kept!;
    }

    /// <summary>The kept neurons for a contracting projection; an expanding one must have run first in this step.</summary>
    internal Tensor KeptForContracting() =>
        _selectionDue || _kept is null
            ? throw new InvalidOperationException($"SAT block '{Name}': a contracting projection ran before any expanding one in this step; the block's forward must compute its hidden layer before reading it.")
            : _kept;

    private void Select(Tensor input)
    {
        long keep = KeptCount;
        using var scores = NeuronImportanceScores.Compute(_settings.Metric, input, [.. _expanding.Select(l => (Tensor)l.Weight.detach())]);
        using var generator = new Generator(SeededInit.DeriveSeed(_seed, Name, "sat-step-" + _step), CPU);
        var (kept, omitted) = NeuronSelector.Split(scores, keep, _settings.Selection, generator, random: _settings.Metric == NeuronImportance.Uniform);
        _kept?.Dispose();
        _omitted?.Dispose();
        // The selection outlives the forward pass (and its dispose scope) that made it: it is freed by the next one.
        _kept = kept.DetachFromDisposeScope();
        _omitted = omitted.DetachFromDisposeScope();
        _selectedAtStep = _step;
        _selectionDue = false;
    }

    private long KeepCount(double rate) => rate == 0 ? Neurons : Math.Max(1, (long)Math.Round((1 - rate) * Neurons, MidpointRounding.ToEven));
}
