using System.Diagnostics;
using SparseDsl.Data;
using SparseDsl.Examples.Cli;
using SparseDsl.Examples.Gpt;
using static TorchSharp.torch;

namespace SparseDsl.Examples.SatBenchmark;

/// <summary>
/// Trains the example LM twice from the same seed on the same batches, dense and with SAT, in lockstep (one step of
/// each, alternating which goes first), so both arms see the same tokens and the same machine state; then evaluates both.
/// </summary>
public static class SatBenchmarkRunner
{
    /// <summary>Runs both arms of <paramref name="config"/> (its SAT options apply to the SAT arm only).</summary>
    /// <param name="config">Model, batches, steps and SAT options.</param>
    /// <param name="pretrainSteps">
    /// Dense steps trained once, untimed, before both arms start from the result: the paper's continual
    /// pre-training setting, where neuron importance is meaningful from the first SAT step. 0 starts both from init.
    /// </param>
    /// <param name="corpus">Training and validation text.</param>
    /// <param name="device">Where both arms train.</param>
    /// <param name="log">Progress lines.</param>
    /// <param name="cancellation">Stops between steps.</param>
    public static SatBenchmarkResult Run(RunConfig config, long pretrainSteps, TextCorpus corpus, Device device, TextWriter log, CancellationToken cancellation = default)
    {
        var batches = new NextTokenBatches(corpus, config.Batch, config.Context, config.Seed);
        using var denseModel = new GptLm(config.Width, device, config.Seed, config.ModelOptions);
        using var satModel = new GptLm(config.Width, device, config.Seed, config.ModelOptions);
        if (pretrainSteps > 0) Pretrain(config, pretrainSteps, corpus, device, log, [denseModel, satModel], cancellation);
        using var dense = new GptLm.Trainer(denseModel, (config with { Sat = false }).TrainerSettings, batches);
        using var sat = new GptLm.Trainer(satModel, (config with { Sat = true }).TrainerSettings, batches);
        var settings = sat.Omissions.FirstOrDefault()?.Settings ?? throw new InvalidOperationException("The example LM has no SAT block.");
        if (settings.IsOff) throw new ArgumentException("The SAT arm would train dense: give --sat-rate above 0.");
        log.WriteLine($"Dense vs {settings}");
        log.WriteLine($"{config.Steps} steps of {config.Batch}x{config.Context} tokens, width {config.Width}, depth {config.Depth}, {get_num_threads()} threads, on {device}.");

        var rungs = new SortedDictionary<double, RungTiming>(Comparer<double>.Create((a, b) => b.CompareTo(a)));
        TimeSpan denseBefore = TimeSpan.Zero, satBefore = TimeSpan.Zero;
        long every = Math.Max(1, config.Steps / 10);
        var wall = Stopwatch.StartNew();
        for (long step = 1; step <= config.Steps; step++)
        {
            cancellation.ThrowIfCancellationRequested();
            // Alternate which arm goes first, so neither always runs on caches the other warmed (or evicted).
            StepMetrics d, s;
            if (step % 2 == 1) (d, s) = (dense.TrainStep(), sat.TrainStep());
            else (s, d) = (sat.TrainStep(), dense.TrainStep());
            var rung = rungs.TryGetValue(s.OmissionRate, out var r) ? r : rungs[s.OmissionRate] = new RungTiming(s.OmissionRate);
            rung.Add(d.Elapsed - denseBefore, s.Elapsed - satBefore);
            (denseBefore, satBefore) = (d.Elapsed, s.Elapsed);
            if (step % every == 0 || step == config.Steps)
                log.WriteLine($"step {step,5}/{config.Steps}  loss dense {d.Loss:0.0000}  SAT {s.Loss:0.0000} (omit {s.OmissionRate:0.###})  " +
                              $"tokens/s dense {d.TokensPerSecond:N0}  SAT {s.TokensPerSecond:N0}  ({wall.Elapsed:m\\:ss})");
        }
        double denseLoss = dense.Evaluate();
        double satLoss = sat.Evaluate();
        log.WriteLine("Timing one MLP alone (forward + backward) at each rate...");
        var mlp = MlpTiming.Measure(satModel.Blocks[0].Mlp, rungs.Keys, config.Batch, config.Context);
        return new SatBenchmarkResult(config, settings, config.Steps * config.Accumulate * batches.TokensPerBatch, denseBefore, satBefore, denseLoss, satLoss,
            MlpShare(denseModel, config.Context), [.. rungs.Values], mlp);
    }

    private static void Pretrain(RunConfig config, long steps, TextCorpus corpus, Device device, TextWriter log, GptLm[] arms, CancellationToken cancellation)
    {
        // Other batches than the arms' (their seed differs), so the continued phase sees text the pre-training did not.
        var pretraining = config with { Sat = false, Steps = steps, Seed = config.Seed + 1 };
        using var model = new GptLm(config.Width, device, config.Seed, config.ModelOptions);
        using var trainer = new GptLm.Trainer(model, pretraining.TrainerSettings, new NextTokenBatches(corpus, config.Batch, config.Context, pretraining.Seed));
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

    // SAT shrinks only the MLP projections' share of the model's matmul work (ModelCost counts it).
    private static double MlpShare(GptLm model, int context)
    {
        var mlp = model.modules().OfType<ISparsityAcceleratedBlock>()
            .SelectMany(b => b.Omission.Projections).Select(p => p.Layer.Plan.Name).ToHashSet(StringComparer.Ordinal);
        var layers = ModelCost.Layers(model.Plan, context);
        return layers.Where(l => mlp.Contains(l.Name)).Sum(l => l.MultiplyAccumulates) / layers.Sum(l => l.MultiplyAccumulates);
    }
}
