using SparseDsl.Data;
using SparseDsl.Examples.Gpt;
using static TorchSharp.torch;

namespace SparseDsl.Examples.CoordinateCheck;

/// <summary>
/// Runs a coordinate check: short training runs of the settings' model (any <see cref="LanguageModels"/> entry; the
/// paper's <see cref="GptLm"/> by default) across parameterization × density and parameterization × width, with forward
/// hooks recording the mean |output| of every layer's attention and MLP sub-block (<see cref="ITransformerLayer"/>) at
/// every step (averaged over the blocks of a kind).
/// </summary>
public static class CoordinateCheckRunner
{
    /// <summary>Block kinds as they appear in rows and plots; <see cref="Stream"/> is the residual stream after the last block (depth check only).</summary>
    public const string Attention = "attention", Mlp = "mlp", Stream = "stream";

    /// <summary>Runs the whole grid on <paramref name="text"/>; <paramref name="progress"/> hears of each finished run.</summary>
    public static List<CoordinateCheckRow> Run(CoordinateCheckSettings settings, TextCorpus text, Device device, Action<string>? progress = null)
    {
        var rows = new List<CoordinateCheckRow>();
        int done = 0;
        foreach (var parameterization in settings.Parameterizations)
        {
            foreach (var (width, density) in settings.Cells())
            {
                for (int seed = 0; seed < settings.Seeds; seed++)
                {
                    rows.AddRange(RunOne(settings, parameterization, width, density, seed, text, device));
                    progress?.Invoke($"[{++done}/{settings.RunCount}] {parameterization.DisplayName()} width {width} density {density:0.####} seed {seed}");
                }
            }
        }
        return rows;
    }

    /// <summary>One training run of <see cref="CoordinateCheckSettings.Model"/>; one row per (step, block kind).</summary>
    public static IEnumerable<CoordinateCheckRow> RunOne(CoordinateCheckSettings settings, Parameterization parameterization, int width, double density, int seed, TextCorpus text, Device device)
    {
        var options = new ModelOptions
        {
            Parameterization = parameterization,
            Hyperparameters = settings.Hyperparameters,
            Sparsity = 1 - density,
            Depth = settings.Depth,
        };
        var entry = LanguageModels.Named(settings.Model);
        var batches = new NextTokenBatches(text, settings.Batch, settings.Context, seed);
        var measured = entry.Train(entry.Recipe(width, seed, options), BareSteps(settings.Steps, settings.Hyperparameters), batches, device,
            new Measure(settings.Steps, stream: false));
        return measured.Select(m => new CoordinateCheckRow(parameterization.Token(), width, density, seed, m.Step, m.Block, m.Value));
    }

    /// <summary>Runs the whole depth grid on <paramref name="text"/>; <paramref name="progress"/> hears of each finished run.</summary>
    public static List<DepthCoordinateCheckRow> RunDepth(DepthCoordinateCheckSettings settings, TextCorpus text, Device device, Action<string>? progress = null)
    {
        var rows = new List<DepthCoordinateCheckRow>();
        var runs = settings.Runs();
        int done = 0;
        foreach (var (rule, density, depth, seed) in runs)
        {
            rows.AddRange(RunDepthOne(settings, rule, density, depth, seed, text, device));
            progress?.Invoke($"[{++done}/{runs.Count}] {rule.DisplayName()} density {density:0.####} depth {depth} seed {seed}");
        }
        return rows;
    }

    /// <summary>One run of the depth grid; one row per (step, block kind), the residual stream after the last block included.</summary>
    public static IEnumerable<DepthCoordinateCheckRow> RunDepthOne(DepthCoordinateCheckSettings settings, DepthRule rule, double density, int depth, int seed, TextCorpus text, Device device)
    {
        var entry = LanguageModels.Named(settings.Model);
        var batches = new NextTokenBatches(text, settings.Batch, settings.Context, seed);
        var measured = entry.Train(entry.Recipe(settings.Width, seed, settings.Options(rule, density, depth)), BareSteps(settings.Steps, settings.Hyperparameters),
            batches, device, new Measure(settings.Steps, stream: true));
        return measured.Select(m => new DepthCoordinateCheckRow(rule.Token(), settings.Parameterization.Token(), depth, settings.Width, density, seed, m.Step, m.Block, m.Value));
    }

    // Hooks every layer's attention and MLP sub-blocks of whichever model the registry built (and, with stream, the last
    // layer's output), then steps the trainer; one (step, block kind, mean over blocks) per measurement.
    private sealed class Measure(int steps, bool stream) : ITrainerUser<List<(int Step, string Block, double Value)>>
    {
        public List<(int Step, string Block, double Value)> Use<TModel>(Trainer<TModel> trainer) where TModel : nn.Module<Tensor, Tensor>, ILanguageModel
        {
            var sums = new Dictionary<string, (double Sum, int Count)>();
            var hooks = new List<IDisposable>();
            foreach (var layer in trainer.Model.Layers)
            {
                hooks.Add(Record(layer.Attention, Attention, sums));
                hooks.Add(Record(layer.Mlp, Mlp, sums));
            }
            if (stream && trainer.Model.Layers[^1] is nn.Module<Tensor, Tensor> last) hooks.Add(Record(last, Stream, sums));
            var rows = new List<(int Step, string Block, double Value)>();
            try
            {
                for (int step = 1; step <= steps; step++)
                {
                    sums.Clear();
                    bool diverged = false;
                    try
                    {
                        trainer.TrainStep();
                    }
                    catch (TrainingDivergedException)
                    {
                        diverged = true; // the forward pass was measured; the step was refused, so every later one would be too
                    }
                    foreach (var (kind, (sum, count)) in sums)
                        rows.Add((step, kind, sum / count));
                    if (diverged) break;
                }
            }
            finally
            {
                foreach (var hook in hooks) hook.Dispose();
            }
            return rows;
        }
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

    private static IDisposable Record(nn.Module<Tensor, Tensor> block, string kind, Dictionary<string, (double Sum, int Count)> sums)
    {
        var remover = block.register_forward_hook((_, _, output) =>
        {
            using (no_grad())
            {
                double value = output.abs().mean().item<float>();
                var (sum, count) = sums.GetValueOrDefault(kind);
                sums[kind] = (sum + value, count + 1);
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
