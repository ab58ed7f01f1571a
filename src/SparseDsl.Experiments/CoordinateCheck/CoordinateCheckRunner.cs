using SparseDsl.Experiments.Gpt;
using SparseDsl.Experiments.Tokenization;
using static TorchSharp.torch;

namespace SparseDsl.Experiments.CoordinateCheck;

/// <summary>
/// Runs a coordinate check: short training runs of a model family (<see cref="ICoordinateCheckFamily"/>) across
/// parameterization × density and parameterization × width, with forward hooks recording the mean |output| of each of
/// the family's probed modules at every step (averaged over the modules of one block name); and the coordinate check
/// across depth (<see cref="DepthCoordinateCheckSettings"/>, the LMs only), which also probes the residual stream.
/// </summary>
public static class CoordinateCheckRunner
{
    /// <summary>Runs the whole grid of <paramref name="family"/>; <paramref name="progress"/> hears of each finished run.</summary>
    public static List<CoordinateCheckRow> Run(CoordinateCheckSettings settings, ICoordinateCheckFamily family, Device device, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(family);
        var rows = new List<CoordinateCheckRow>();
        int done = 0;
        foreach (var parameterization in settings.Parameterizations)
        {
            foreach (var (width, density) in settings.Cells())
            {
                for (int seed = 0; seed < settings.Seeds; seed++)
                {
                    rows.AddRange(RunOne(settings, family, new CoordinateCheckRun(parameterization, width, density, seed), device));
                    progress?.Invoke($"[{++done}/{settings.RunCount}] {parameterization.DisplayName()} width {width} density {density:0.####} seed {seed}");
                }
            }
        }
        return rows;
    }

    /// <summary>One training run of <paramref name="family"/>; one row per (step, block name).</summary>
    public static List<CoordinateCheckRow> RunOne(CoordinateCheckSettings settings, ICoordinateCheckFamily family, CoordinateCheckRun run, Device device) =>
        family.Train(run, settings, BareSteps(settings.Steps, settings.Hyperparameters), device, training => Measure(training, settings.Steps)
            .Select(m => new CoordinateCheckRow(run.Parameterization.Token(), run.Width, run.Density, run.Seed, m.Step, m.Block, m.Value)).ToList());

    /// <summary>Runs the whole depth grid on <paramref name="corpus"/>; <paramref name="progress"/> hears of each finished run.</summary>
    public static List<DepthCoordinateCheckRow> RunDepth(DepthCoordinateCheckSettings settings, TrainingCorpus corpus, Device device, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(corpus);
        var rows = new List<DepthCoordinateCheckRow>();
        var runs = settings.Runs();
        int done = 0;
        foreach (var (rule, density, depth, seed) in runs)
        {
            rows.AddRange(RunDepthOne(settings, rule, density, depth, seed, corpus, device));
            progress?.Invoke($"[{++done}/{runs.Count}] {rule.DisplayName()} density {density:0.####} depth {depth} seed {seed}");
        }
        return rows;
    }

    /// <summary>One run of the depth grid; one row per (step, block name), the residual stream after the last block included.</summary>
    public static List<DepthCoordinateCheckRow> RunDepthOne(DepthCoordinateCheckSettings settings, DepthRule rule, double density, int depth, int seed, TrainingCorpus corpus, Device device)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(corpus);
        var entry = LanguageModels.Named(settings.Model);
        var batches = corpus.Batches(settings.Batch, settings.Context, seed);
        var options = settings.Options(rule, density, depth) with { Vocabulary = corpus.ModelVocabulary };
        var measured = entry.Train(entry.Recipe(settings.Width, seed, options), BareSteps(settings.Steps, settings.Hyperparameters), batches, device,
            new LanguageModelFamily.Probing<List<(int Step, string Block, double Value)>>(training => Measure(training, settings.Steps), stream: true));
        return measured.Select(m => new DepthCoordinateCheckRow(rule.Token(), settings.Parameterization.Token(), depth, settings.Width, density, seed, m.Step, m.Block, m.Value)).ToList();
    }

    // Hooks the probes, then steps the trainer; one (step, block name, mean over the block's modules) per measurement.
    private static List<(int Step, string Block, double Value)> Measure(ProbedTraining training, int steps)
    {
        var sums = new Dictionary<string, (double Sum, int Count)>();
        var hooks = training.Probes.Select(p => Record(p, sums)).ToList();
        var rows = new List<(int Step, string Block, double Value)>();
        try
        {
            for (int step = 1; step <= steps; step++)
            {
                sums.Clear();
                bool diverged = false;
                try
                {
                    training.Step();
                }
                catch (TrainingDivergedException)
                {
                    diverged = true; // the forward pass was measured; the step was refused, so every later one would be too
                }
                foreach (var (block, (sum, count)) in sums)
                    rows.Add((step, block, sum / count));
                if (diverged) break;
            }
        }
        finally
        {
            foreach (var hook in hooks) hook.Dispose();
        }
        return rows;
    }

    // The trainer's step with nothing on top: the paper's coordinate check watches the raw AdamW dynamics at the base
    // LR, so no warm-up or decay, no clipping, no weight decay and no SAT.
    private static TrainerSettings BareSteps(int steps, BaseHyperparameters hyperparameters) => new()
    {
        Steps = steps,
        Optimizer = new AdamWSettings { LearningRate = hyperparameters.LearningRate, WeightDecay = 0 },
        Schedule = new ScheduleSettings { Kind = ScheduleKind.Constant, WarmupFraction = 0 },
        GradientClipNorm = null,
        Acceleration = SparsityAcceleration.Off,
    };

    private static IDisposable Record(Probe probe, Dictionary<string, (double Sum, int Count)> sums)
    {
        var remover = probe.Module.register_forward_hook((_, _, output) =>
        {
            using (no_grad())
            {
                double value = output.abs().mean().item<float>();
                var (sum, count) = sums.GetValueOrDefault(probe.Block);
                sums[probe.Block] = (sum + value, count + 1);
            }
            return output;
        });
        return new Unhook(remover.remove);
    }

    private sealed class Unhook(Action remove) : IDisposable
    {
        public void Dispose() => remove();
    }
}
