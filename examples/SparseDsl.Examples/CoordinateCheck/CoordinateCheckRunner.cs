using SparseDsl.Data;
using SparseDsl.Examples.Gpt;
using static TorchSharp.torch;

namespace SparseDsl.Examples.CoordinateCheck;

/// <summary>
/// Runs a coordinate check: short training runs of the settings' model (any <see cref="LanguageModels"/> entry; the
/// paper's <see cref="GptLm"/> by default) across parameterization × density and parameterization × width, with forward
/// hooks recording the mean |output| of every layer's attention and MLP sub-block (<see cref="ITransformerLayer"/>) at
/// every step (averaged over the blocks of a kind), and of an expert bank's router logits where the MLP is one.
/// </summary>
public static class CoordinateCheckRunner
{
    /// <summary>Block kinds as they appear in rows and plots.</summary>
    public const string Attention = "attention", Mlp = "mlp", Router = "router";

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
        return entry.Train(entry.Recipe(width, seed, options), BareSteps(settings), batches, device,
            new Measure(settings.Steps, parameterization, width, density, seed));
    }

    // Hooks every layer's attention and MLP sub-blocks of whichever model the registry built, then steps the trainer.
    private sealed class Measure(int steps, Parameterization parameterization, int width, double density, int seed) : ITrainerUser<List<CoordinateCheckRow>>
    {
        public List<CoordinateCheckRow> Use<TModel>(Trainer<TModel> trainer) where TModel : nn.Module<Tensor, Tensor>, ILanguageModel
        {
            var sums = new Dictionary<string, (double Sum, int Count)>();
            var hooks = new List<IDisposable>();
            foreach (var layer in trainer.Model.Layers)
            {
                hooks.Add(Record(layer.Attention, Attention, sums));
                hooks.Add(Record(layer.Mlp, Mlp, sums));
                // An expert bank's router logits: output-like under μP and SμPar (docs/moe.md), so watched too.
                if (layer.Mlp is IRoutedLayer routed) hooks.Add(Record(routed.Router, Router, sums));
            }
            var rows = new List<CoordinateCheckRow>();
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
                        rows.Add(new CoordinateCheckRow(parameterization.Token(), width, density, seed, step, kind, sum / count));
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
    private static TrainerSettings BareSteps(CoordinateCheckSettings settings) => new()
    {
        Steps = settings.Steps,
        Optimizer = new AdamWSettings { LearningRate = settings.Hyperparameters.LearningRate, WeightDecay = 0 },
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
