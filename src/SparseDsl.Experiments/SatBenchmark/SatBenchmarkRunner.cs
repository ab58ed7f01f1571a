using System.Diagnostics;
using SparseDsl.Data;
using SparseDsl.Experiments.Training;
using SparseDsl.Experiments.Gpt;
using static TorchSharp.torch;

namespace SparseDsl.Experiments.SatBenchmark;

/// <summary>
/// Trains the example LM three times from the same seed on the same batches: dense, with SAT over MLP neurons, and with
/// SAT over MLP neurons and attention heads. The arms run in lockstep (one step of each, the order rotating), so they
/// see the same tokens and the same machine state; then all three are evaluated with every neuron and head.
/// </summary>
public static class SatBenchmarkRunner
{
    /// <summary>Runs the three arms of <paramref name="config"/> on the model it names.</summary>
    /// <param name="config">Model, batches, steps and SAT options (the MLP options apply to both SAT arms, the head options to the third).</param>
    /// <param name="pretrainSteps">
    /// Dense steps trained once, untimed, before every arm starts from the result: the paper's continual pre-training
    /// setting, where importance is meaningful from the first SAT step. 0 starts all from init.
    /// </param>
    /// <param name="corpus">Training and validation text.</param>
    /// <param name="device">Where the arms train.</param>
    /// <param name="log">Progress lines.</param>
    /// <param name="cancellation">Stops between steps.</param>
    /// <exception cref="ArgumentException">The model is unknown, or a SAT arm would train dense.</exception>
    public static SatBenchmarkResult Run(RunConfig config, long pretrainSteps, TextCorpus corpus, Device device, TextWriter log, CancellationToken cancellation = default)
    {
        var entry = LanguageModels.Named(config.Model);
        return entry.Name switch
        {
            nameof(GptLm) => Run(config, pretrainSteps, corpus, device, log, (w, d, s, o) => new GptLm(w, d, s, o), cancellation),
            nameof(GptLmUntied) => Run(config, pretrainSteps, corpus, device, log, (w, d, s, o) => new GptLmUntied(w, d, s, o), cancellation),
            nameof(Llama.LlamaLm) => Run(config, pretrainSteps, corpus, device, log, (w, d, s, o) => new Llama.LlamaLm(w, d, s, o), cancellation),
            _ => throw new ArgumentException($"sat-benchmark does not know how to build '{entry.Name}'."),
        };
    }

    private static SatBenchmarkResult Run<TModel>(RunConfig config, long pretrainSteps, TextCorpus corpus, Device device, TextWriter log,
        Func<int, Device, long, ModelOptions, TModel> build, CancellationToken cancellation)
        where TModel : nn.Module<Tensor, Tensor>, ILanguageModel
    {
        var mlpSettings = (config with { SatHeadRate = null }).Acceleration ?? SparsityAcceleration.Default;
        var headSettings = config.HeadAcceleration ?? throw new ArgumentException("The MLP+heads arm needs a head omission rate: give --sat-head-rate.");
        if (mlpSettings.IsOff) throw new ArgumentException("The SAT arms would train their MLPs dense: give --sat-rate above 0.");
        if (headSettings.IsOff) throw new ArgumentException("The MLP+heads arm would train every head: give --sat-head-rate above 0.");

        var batches = new NextTokenBatches(corpus, config.Batch, config.Context, config.Seed);
        string loadStart = LoadAverage.Read();
        var models = new TModel[3];
        var trainers = new Trainer<TModel>[3];
        try
        {
            for (int i = 0; i < 3; i++) models[i] = build(config.Width, device, config.Seed, config.ModelOptions);
            if (pretrainSteps > 0) Pretrain(config, pretrainSteps, corpus, device, log, build, models, cancellation);
            var settings = config.TrainerSettings;
            trainers[(int)SatArm.Dense] = new(models[0], settings with { Acceleration = SparsityAcceleration.Off, HeadAcceleration = SparsityAcceleration.Off }, batches);
            trainers[(int)SatArm.Mlp] = new(models[1], settings with { Acceleration = mlpSettings, HeadAcceleration = SparsityAcceleration.Off }, batches);
            trainers[(int)SatArm.MlpAndHeads] = new(models[2], settings with { Acceleration = mlpSettings, HeadAcceleration = headSettings }, batches);
            var headBlocks = trainers[2].Omissions.OfType<HeadOmission>().ToList();
            if (headBlocks.Count == 0) throw new ArgumentException($"{typeof(TModel).Name} has no [SparsityAccelerated(Heads = true)] attention block.");
            log.WriteLine($"Dense vs SAT MLP ({mlpSettings}) vs SAT MLP+heads (heads: {headSettings}; {headBlocks[0].Units} {headBlocks[0].UnitName} per layer)");
            log.WriteLine($"{config.Model}: {config.Steps} steps of {config.Batch}x{config.Context} tokens, width {config.Width}, depth {config.Depth}, {get_num_threads()} threads, on {device}; load average {loadStart}.");

            var (rungs, times) = Lockstep(config, trainers, log, cancellation);
            var arms = Enum.GetValues<SatArm>().Select(a => new ArmResult(a, times[(int)a], trainers[(int)a].Evaluate())).ToList();
            var layer = models[2].Layers[0];
            log.WriteLine("Timing one MLP and one attention block alone (forward + backward) at each rate...");
            var mlp = BlockTiming.Measure(layer.Mlp, rungs.Select(r => r.NeuronRate), config.Batch, config.Context);
            var attention = BlockTiming.Measure(layer.Attention, rungs.Select(r => r.HeadRate), config.Batch, config.Context);
            var (mlpShare, headShare) = Shares(models[2], config.Context);
            return new SatBenchmarkResult(config with { Model = typeof(TModel).Name }, mlpSettings, headSettings, config.Steps * config.Accumulate * batches.TokensPerBatch,
                arms, mlpShare, headShare, rungs, mlp, attention, (loadStart, LoadAverage.Read()), Machine.Describe());
        }
        finally
        {
            foreach (var trainer in trainers) trainer?.Dispose();
            foreach (var model in models) model?.Dispose();
        }
    }

    // One step of each arm per step, the order rotating, so none always runs on caches another warmed (or evicted).
    private static (List<RungTiming> Rungs, ClockReading[] Times) Lockstep<TModel>(RunConfig config, Trainer<TModel>[] trainers, TextWriter log, CancellationToken cancellation)
        where TModel : nn.Module<Tensor, Tensor>, ILanguageModel
    {
        var rungs = new List<RungTiming>();
        var totals = new ClockReading[3];
        var step = new ClockReading[3];
        var metrics = new StepMetrics[3];
        long every = Math.Max(1, config.Steps / 10);
        var wall = Stopwatch.StartNew();
        for (long n = 1; n <= config.Steps; n++)
        {
            cancellation.ThrowIfCancellationRequested();
            for (int k = 0; k < 3; k++)
            {
                int arm = (int)((n + k) % 3);
                var start = ClockReading.Now();
                metrics[arm] = trainers[arm].TrainStep();
                step[arm] = ClockReading.Now() - start;
                totals[arm] += step[arm];
            }
            var heads = metrics[(int)SatArm.MlpAndHeads];
            var blocks = trainers[(int)SatArm.MlpAndHeads].Omissions;
            var rung = rungs.FirstOrDefault(r => r.NeuronRate == heads.OmissionRate && r.HeadRate == heads.HeadOmissionRate);
            if (rung is null)
            {
                rung = new RungTiming(heads.OmissionRate, heads.HeadOmissionRate, Omitted(blocks.OfType<NeuronOmission>()), Omitted(blocks.OfType<HeadOmission>()));
                rungs.Add(rung);
            }
            rung.Add(step);
            if (n % every == 0 || n == config.Steps)
                log.WriteLine($"step {n,5}/{config.Steps}  loss dense {metrics[0].Loss:0.0000}  MLP {metrics[1].Loss:0.0000}  MLP+heads {heads.Loss:0.0000} " +
                              $"(omit {heads.OmissionRate:0.###}, heads {heads.HeadOmissionRate:0.###})  tokens/s {metrics[0].TokensPerSecond:N0} / {metrics[1].TokensPerSecond:N0} / {heads.TokensPerSecond:N0}  ({wall.Elapsed:m\\:ss})");
        }
        return ([.. rungs.OrderByDescending(r => r.NeuronRate).ThenByDescending(r => r.HeadRate)], totals);
    }

    // The fraction of units the blocks omit in the current step (every block of a kind follows the same ladder).
    private static double Omitted(IEnumerable<UnitOmission> blocks) =>
        blocks.FirstOrDefault() is { } b ? 1 - (double)b.KeptCount / b.Units : 0;

    private static void Pretrain<TModel>(RunConfig config, long steps, TextCorpus corpus, Device device, TextWriter log,
        Func<int, Device, long, ModelOptions, TModel> build, TModel[] arms, CancellationToken cancellation)
        where TModel : nn.Module<Tensor, Tensor>, ILanguageModel
    {
        // Other batches than the arms' (their seed differs), so the continued phase sees text the pre-training did not.
        var pretraining = config with { Sat = false, Steps = steps, Seed = config.Seed + 1 };
        using var model = build(config.Width, device, config.Seed, config.ModelOptions);
        using var trainer = new Trainer<TModel>(model, pretraining.TrainerSettings, new NextTokenBatches(corpus, config.Batch, config.Context, pretraining.Seed));
        long every = Math.Max(1, steps / 5);
        for (long step = 1; step <= steps; step++)
        {
            cancellation.ThrowIfCancellationRequested();
            var m = trainer.TrainStep();
            if (step % every == 0 || step == steps) log.WriteLine($"pre-training (dense, untimed) step {step}/{steps}  loss {m.Loss:0.0000}");
        }
        var weights = model.state_dict();
        foreach (var arm in arms) arm.load_state_dict(weights);
    }

    // The matmul work per token (ModelCost) of the MLP projections, and of the attention: its Q, K, V and output
    // projections and the attention's own products, all of which shrink with the kept heads.
    private static (double Mlp, double Heads) Shares(nn.Module<Tensor, Tensor> model, int context)
    {
        var blocks = model.modules().OfType<ISparsityAcceleratedBlock>().Select(b => b.Omission).ToList();
        var mlp = blocks.OfType<NeuronOmission>().SelectMany(b => b.Projections).Select(p => p.Layer.Plan.Name).ToHashSet(StringComparer.Ordinal);
        var heads = blocks.OfType<HeadOmission>().SelectMany(b => b.Projections.Select(p => p.Layer.Plan.Name).Append(b.Attention.Plan.Name)).ToHashSet(StringComparer.Ordinal);
        var layers = ModelCost.Layers(((IScaledModel)model).Plan, context);
        double total = layers.Sum(l => l.MultiplyAccumulates);
        return (layers.Where(l => mlp.Contains(l.Name)).Sum(l => l.MultiplyAccumulates) / total,
                layers.Where(l => heads.Contains(l.Name)).Sum(l => l.MultiplyAccumulates) / total);
    }
}
