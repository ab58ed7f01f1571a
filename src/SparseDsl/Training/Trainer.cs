using TorchSharp;
using System.Diagnostics;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SparseDsl;

/// <summary>
/// Trains a generated model the SμPar way: AdamW built from the model's scaled parameter groups (never from the raw
/// parameter list), a schedule that multiplies every group's LR by one factor, global-norm clipping, gradient
/// accumulation, periodic evaluation and atomic checkpoints that include masks, optimizer state and RNG state.
/// The generator emits a typed subclass per model (<c>MyModelTrainer</c>) that can also resume from a checkpoint.
/// </summary>
/// <typeparam name="TModel">A generated model: a TorchSharp module from token ids to logits.</typeparam>
public class Trainer<TModel> : IDisposable where TModel : nn.Module<Tensor, Tensor>, IScaledModel
{
    private readonly ITrainingData _data;
    private readonly Func<Tensor, Tensor, Tensor> _loss;
    private readonly Parameter[] _parameters;
    private readonly Device _device;
    private readonly UnitOmission[] _omissions;
    private readonly IRoutedLayer[] _routed;
    private readonly Stopwatch _clock = new();
    private readonly bool _ownsModel;
    private long _tokens;
    private readonly FinalizerGarbageCollector _collector;
    private bool _recomputeChecked;

    /// <summary>A trainer for <paramref name="model"/> at step 0.</summary>
    /// <param name="model">The model; it stays owned by the caller.</param>
    /// <param name="settings">Steps, optimizer, schedule and the rest; validated here.</param>
    /// <param name="data">Training and validation batches.</param>
    /// <param name="loss">Loss of (logits, targets); default: next-token cross-entropy (<see cref="LanguageModelLoss.NextToken"/>).</param>
    /// <param name="ownsModel">Whether <see cref="Dispose"/> also disposes the model (a resumed trainer built it).</param>
    public Trainer(TModel model, TrainerSettings settings, ITrainingData data, Func<Tensor, Tensor, Tensor>? loss = null, bool ownsModel = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(data);
        settings.Validate();
        Model = model;
        Settings = settings;
        _data = data;
        _loss = loss ?? LanguageModelLoss.NextToken;
        _ownsModel = ownsModel;
        Groups = ScaledOptimizers.ParameterGroups(model, settings.Optimizer);
        Optimizer = ScaledOptimizers.AdamW(Groups, settings.Optimizer);
        _parameters = Groups.SelectMany(g => g.Parameters).Select(p => p.Parameter).ToArray();
        _device = _parameters.Length > 0 ? _parameters[0].device : CPU;
        _omissions = SparsityAccelerationSetup.Configure(model, settings);
        _routed = model.modules().OfType<IRoutedLayer>().ToArray();
        _collector = new FinalizerGarbageCollector(settings.GarbageCollectionInterval);
    }

    /// <summary>The model being trained.</summary>
    public TModel Model { get; }

    /// <summary>The settings the trainer was built with.</summary>
    public TrainerSettings Settings { get; }

    /// <summary>AdamW over the model's scaled groups.</summary>
    public AdamW Optimizer { get; }

    /// <summary>The optimizer groups: each group's LR is η_base × its SμPar multiplier before the schedule's factor.</summary>
    public IReadOnlyList<ParameterGroup> Groups { get; }

    /// <summary>The model's SAT blocks (MLP neurons and attention heads), which this trainer drives (empty when it declares none).</summary>
    public IReadOnlyList<UnitOmission> Omissions => _omissions;

    /// <summary>The model's expert banks, whose auxiliary losses every training step adds (empty when it declares none).</summary>
    public IReadOnlyList<IRoutedLayer> RoutedLayers => _routed;

    /// <summary>Optimizer steps completed so far (restored by <see cref="LoadCheckpoint"/>).</summary>
    public long CompletedSteps { get; private set; }

    /// <summary>
    /// Runs the next optimizer step: accumulates gradients over <see cref="TrainerSettings.AccumulationSteps"/>
    /// micro-batches, checks that loss and gradient norm are finite, clips, applies the schedule and steps.
    /// </summary>
    /// <exception cref="TrainingDivergedException">The loss or gradient norm is NaN or infinite; the step was not applied.</exception>
    /// <exception cref="InvalidOperationException">Every step of the run is already done.</exception>
    public StepMetrics TrainStep() =>
        Step(Settings.AccumulationSteps, Settings.AccumulationSteps * _data.TokensPerBatch, (step, micro) => _data.TrainingBatch(step, micro, _device));

    /// <summary>
    /// Runs the next optimizer step on a batch the caller chose instead of the data's batch for that step (a loop that
    /// replays a batch, or draws its own): the same step as <see cref="TrainStep()"/> in every other way (finite checks,
    /// clipping, schedule, SAT, AdamW), with <paramref name="inputs"/> as its only micro-batch, so
    /// <see cref="TrainerSettings.AccumulationSteps"/> does not apply. The tensors stay the caller's.
    /// </summary>
    /// <param name="inputs">Token ids on the model's device, as the loss expects them.</param>
    /// <param name="targets">The targets of <paramref name="inputs"/>.</param>
    /// <exception cref="TrainingDivergedException">The loss or gradient norm is NaN or infinite; the step was not applied.</exception>
    /// <exception cref="InvalidOperationException">Every step of the run is already done.</exception>
    public StepMetrics TrainStep(Tensor inputs, Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        return Step(1, inputs.numel(), (_, _) => (inputs, targets));
    }

    // A plan that asks for recomputation whose forward never ran a block through BlockRecompute would silently keep
    // every activation: refused after the first forward pass, before any step is applied.
    private void CheckRecompute()
    {
        if (BlockRecompute.AsksForRecompute(Model) && !BlockRecompute.HasRecomputed(Model))
        {
            _clock.Stop();
            throw new InvalidOperationException($"{Model.Plan.ModelName} asks for RecomputeBlocks, but its forward ran no block through BlockRecompute.Call (or no block's input required a gradient), so nothing would be recomputed: call BlockRecompute.Call(block, x) in place of block.call(x) in the forward, or build the model without RecomputeBlocks.");
        }
        _recomputeChecked = true; // only once it passed: a second try is refused again
    }

    // The one training step both overloads run; batch(step, micro) gives each micro-batch, tokens counts them all.
    private StepMetrics Step(int microSteps, long tokens, Func<long, int, (Tensor Inputs, Tensor Targets)> batch)
    {
        long step = CompletedSteps + 1;
        if (step > Settings.Steps)
            throw new InvalidOperationException($"All {Settings.Steps} steps are done; raise the step count to train further.");
        _clock.Start();
        Model.train();
        Gradients.Zero(_parameters);
        foreach (var block in _omissions) block.BeginStep(step, Settings.Steps);
        foreach (var routed in _routed) routed.TakeStatistics(); // forget passes made outside the trainer
        double lossSum = 0, auxiliarySum = 0;
        using var divisor = microSteps.ToScalar(); // disposed here rather than left to a finalizer (issue 24)
        for (int micro = 0; micro < microSteps; micro++)
        {
            using var scope = NewDisposeScope();
            var (inputs, targets) = batch(step, micro);
            var loss = _loss(Model.call(inputs), targets);
            if (!_recomputeChecked) CheckRecompute();
            var total = loss;
            // Expert banks' balance and z-losses join the gradient; the logged loss stays the model's own.
            var auxiliaries = _routed.Select(r => r.TakeAuxiliaryLoss()).OfType<Tensor>().ToList();
            try
            {
                foreach (var auxiliary in auxiliaries)
                {
                    total = total.add(auxiliary, HeldScalars.One); // not +: see HeldScalars
                    auxiliarySum += auxiliary.item<float>();
                }
                total.div(divisor).backward();
            }
            finally
            {
                foreach (var auxiliary in auxiliaries) auxiliary.Dispose(); // the banks hand them over outside any scope
            }
            lossSum += loss.item<float>();
        }
        double meanLoss = lossSum / microSteps;
        if (!double.IsFinite(meanLoss)) Diverged(step, $"the loss is {meanLoss}");

        // With clipping off, an infinite max norm still returns the norm (and scales by exactly 1).
        double norm = nn.utils.clip_grad_norm_(_parameters, Settings.GradientClipNorm ?? double.PositiveInfinity);
        if (!double.IsFinite(norm)) Diverged(step, $"the gradient norm is {norm}");

        double factor = Settings.Schedule.Factor(step, Settings.Steps);
        LearningRateSchedule.Apply(Optimizer, factor);
        KeptUnitAdamW.Step(_omissions, Optimizer);   // SAT projections: kept slices only; their gradients are cleared, so skipped below
        AdamWArithmetic.Step(Optimizer);              // AdamW's own arithmetic, without its finalizer-only scalars
        CompletedSteps = step;
        _collector.CollectWhenDue();
        _tokens += tokens;
        _clock.Stop();
        return new StepMetrics(step, Settings.Steps, meanLoss, norm, Settings.Optimizer.LearningRate * factor, _tokens, _clock.Elapsed)
        {
            OmissionRate = _omissions.OfType<NeuronOmission>().Select(b => b.Rate).DefaultIfEmpty(0).Max(),
            HeadOmissionRate = _omissions.OfType<HeadOmission>().Select(b => b.Rate).DefaultIfEmpty(0).Max(),
            AuxiliaryLoss = auxiliarySum / microSteps,
            Routing = _routed.Length == 0 ? Array.Empty<RoutingStatistics>() : _routed.Select(r => r.TakeStatistics()).OfType<RoutingStatistics>().ToList(),
            ResidentBytes = Environment.WorkingSet,
        };
    }

    /// <summary>Mean loss over the held-out batches, in eval mode and without gradients.</summary>
    public double Evaluate()
    {
        bool wasTraining = Model.training;
        Model.eval();
        try
        {
            using var _ = no_grad();
            double total = 0;
            int count = 0;
            foreach (var (inputs, targets) in _data.ValidationBatches(_device))
            {
                using var scope = NewDisposeScope();
                using (inputs)
                using (targets)
                    total += _loss(Model.call(inputs), targets).item<float>();
                count++;
            }
            return count == 0 ? throw new InvalidOperationException("The data gave no validation batches.") : total / count;
        }
        finally
        {
            Model.train(wasTraining);
        }
    }

    /// <summary>
    /// Trains from the step after <see cref="CompletedSteps"/> to <see cref="TrainerSettings.Steps"/>, evaluating and
    /// checkpointing as the settings ask, and always evaluating and checkpointing after the last step. On
    /// cancellation the last completed step is checkpointed (nothing is lost) before the cancellation propagates; on
    /// divergence nothing is written, so the previous checkpoint stays the last good one.
    /// </summary>
    /// <returns>The final held-out loss.</returns>
    public double Run(ITrainingObserver? observer = null, CancellationToken cancellationToken = default)
    {
        observer ??= NoObserver.Instance;
        observer.OnStart(CompletedSteps + 1, Settings.Steps);
        while (CompletedSteps < Settings.Steps)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                if (CompletedSteps > 0) Checkpoint(observer);
                cancellationToken.ThrowIfCancellationRequested();
            }
            var metrics = TrainStep();
            observer.OnStep(metrics);
            bool last = metrics.Step == Settings.Steps;
            if (!last && Every(Settings.EvaluateEvery, metrics.Step)) observer.OnEvaluation(new EvaluationMetrics(metrics.Step, Evaluate()));
            if (!last && Every(Settings.CheckpointEvery, metrics.Step)) Checkpoint(observer);
        }
        foreach (var block in _omissions) block.EndTraining(); // the trained model is the full model (every neuron and head) from here on
        double validation = Evaluate();
        observer.OnEvaluation(new EvaluationMetrics(CompletedSteps, validation));
        Checkpoint(observer);
        return validation;
    }

    /// <summary>Writes model (with masks), optimizer and RNG state and the step to <paramref name="path"/>, atomically.</summary>
    public void SaveCheckpoint(string path)
    {
        var header = new CheckpointHeader(Model.Recipe.WithBaseDepths(Model.Plan), CompletedSteps, Settings.RunConfig, DateTimeOffset.UtcNow);
        SparseDsl.Checkpoint.Save(path, header, Model, Optimizer);
    }

    /// <summary>
    /// Restores model, optimizer and RNG state and the step from <paramref name="path"/>, so that <see cref="Run"/>
    /// continues exactly where the saved run stopped.
    /// </summary>
    /// <exception cref="InvalidDataException">The checkpoint is of another model or width, was trained under another depth
    /// rule or base depth, is corrupt, or is past <see cref="TrainerSettings.Steps"/>.</exception>
    public CheckpointHeader LoadCheckpoint(string path)
    {
        var header = SparseDsl.Checkpoint.ReadHeader(path);
        ResumeCheck.Ensure(header, Model, Settings.Steps, path);
        SparseDsl.Checkpoint.Load(path, Model, Optimizer);
        CompletedSteps = header.Step;
        return header;
    }

    /// <summary>Disposes the optimizer, and the model when the trainer owns it.</summary>
    public void Dispose()
    {
        foreach (var block in _omissions) block.EndTraining();
        Optimizer.Dispose();
        if (_ownsModel) Model.Dispose();
        GC.SuppressFinalize(this);
    }

    private void Checkpoint(ITrainingObserver observer)
    {
        if (Settings.CheckpointPath is not { } path) return;
        SaveCheckpoint(path);
        observer.OnCheckpoint(CompletedSteps, path);
    }

    private void Diverged(long step, string what)
    {
        Gradients.Zero(_parameters); // the bad gradients must not leak into a later step
        _clock.Stop();
        throw new TrainingDivergedException(step, what);
    }

    private static bool Every(long interval, long step) => interval > 0 && step % interval == 0;

    private sealed class NoObserver : ITrainingObserver
    {
        public static NoObserver Instance { get; } = new();
    }
}
