using SparseDsl.Data;
using SparseDsl.Examples.Gpt;
using SparseDsl.Examples.Training;
using static TorchSharp.torch;

namespace SparseDsl.Examples.CoordinateCheck;

/// <summary>
/// Runs a coordinate check: short training runs of <see cref="GptLm"/> across parameterization × density and
/// parameterization × width, with forward hooks recording the mean |output| of every
/// <see cref="CausalSelfAttention"/> and <see cref="SwiGluMlp"/> block at every step (averaged over the blocks of a kind).
/// </summary>
public static class CoordinateCheckRunner
{
    /// <summary>Block kinds as they appear in rows and plots.</summary>
    public const string Attention = "attention", Mlp = "mlp";

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
                    progress?.Invoke($"[{++done}/{settings.RunCount}] {Name(parameterization)} width {width} density {density:0.####} seed {seed}");
                }
            }
        }
        return rows;
    }

    /// <summary>One training run; one row per (step, block kind).</summary>
    public static IEnumerable<CoordinateCheckRow> RunOne(CoordinateCheckSettings settings, Parameterization parameterization, int width, double density, int seed, TextCorpus text, Device device)
    {
        var options = new ModelOptions
        {
            Parameterization = parameterization,
            Hyperparameters = settings.Hyperparameters,
            Sparsity = 1 - density,
            Depth = settings.Depth,
        };
        using var model = new GptLm(width, device, seed, options);
        using var optimizer = model.CreateAdamW(new AdamWSettings { LearningRate = settings.Hyperparameters.LearningRate, WeightDecay = 0 });
        var sums = new Dictionary<string, (double Sum, int Count)>();
        var hooks = new List<IDisposable>();
        foreach (var block in model.Blocks)
        {
            hooks.Add(Record(block.Attention, Attention, sums));
            hooks.Add(Record(block.Mlp, Mlp, sums));
        }
        var batches = new NextTokenBatches(text, settings.Batch, settings.Context, seed);
        var rows = new List<CoordinateCheckRow>();
        try
        {
            for (int step = 1; step <= settings.Steps; step++)
            {
                sums.Clear();
                using var scope = NewDisposeScope();
                var (inputs, targets) = batches.TrainingBatch(step, 0, device);
                LmTraining.Step(model, optimizer, inputs, targets, learningRateFactor: 1.0);
                foreach (var (kind, (sum, count)) in sums)
                    rows.Add(new CoordinateCheckRow(Name(parameterization), width, density, seed, step, kind, sum / count));
            }
        }
        finally
        {
            foreach (var hook in hooks) hook.Dispose();
        }
        return rows;
    }

    /// <summary>The parameterization's name in rows: SP, muP, SuPar.</summary>
    public static string Name(Parameterization p) => p switch
    {
        Parameterization.Standard => "SP",
        Parameterization.MuP => "muP",
        _ => "SuPar",
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
