using SparseDsl.Data;
using SparseDsl.Experiments.Training;
using SparseDsl.Experiments.Gpt;
using SparseDsl.Experiments.SatBenchmark;
using static TorchSharp.torch;

namespace SparseDsl.Experiments.SparseBenchmark;

/// <summary>
/// Runs one <see cref="SparseArm"/> in this process: builds the model with the arm's storage, trains the warm-up and the
/// timed steps on the CPU (SAT off, so storage is the only difference between arms), and saves a checkpoint when asked.
/// The benchmark runs each arm in a process of its own so that its peak resident set is its own.
/// </summary>
public static class ArmRunner
{
    /// <summary>Runs <paramref name="arm"/> on <paramref name="corpus"/>, writing progress to <paramref name="log"/>.</summary>
    /// <exception cref="ArgumentException">The model or an option is invalid.</exception>
    public static SparseArmResult Run(SparseArm arm, TextCorpus corpus, TextWriter log, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(arm);
        var entry = LanguageModels.Named(arm.Model);
        var config = new RunConfig
        {
            Model = entry.Name, Width = arm.Width, Depth = arm.Depth, Sparsity = arm.Sparsity, Storage = arm.Storage, Batch = arm.Batch,
            Context = arm.Context, Steps = arm.Warmup + arm.Steps, Seed = arm.Seed, Sat = false,
            Recompute = arm.Recompute,
        };
        int callerThreads = get_num_threads();
        set_num_threads(arm.Threads);
        try
        {
            string loadBefore = LoadAverage.Read();
            var data = new NextTokenBatches(corpus, arm.Batch, arm.Context, arm.Seed, validationBatches: 1);
            var recipe = entry.Recipe(arm.Width, arm.Seed, config.ModelOptions);
            return entry.Train(recipe, config.TrainerSettings, data, CPU, new Timed(arm, loadBefore, log, cancellation));
        }
        finally
        {
            set_num_threads(callerThreads);
        }
    }

    private sealed class Timed(SparseArm arm, string loadBefore, TextWriter log, CancellationToken cancellation) : ITrainerUser<SparseArmResult>
    {
        public SparseArmResult Use<TModel>(Trainer<TModel> trainer) where TModel : nn.Module<Tensor, Tensor>, ILanguageModel
        {
            var masked = trainer.Model.modules().OfType<ScaledLinear>().Where(l => l.Plan.IsMasked).ToList();
            int sparse = masked.Count(l => l.IsSparseStorage);
            string name = $"{arm.Storage.ToString().ToLowerInvariant()}{(arm.Recompute ? " recomputed" : "")} width {arm.Width} sparsity {arm.Sparsity:0.#####}";
            log.WriteLine($"  {name}: built, {sparse}/{masked.Count} masked layers stored sparse; resident {SparseBenchmarkRunner.Gib(PeakMemory.CurrentBytes())}, peak {SparseBenchmarkRunner.Gib(PeakMemory.ResidentBytes())}");
            var losses = new List<double>();
            var timed = new ClockReading();
            for (long step = 1; step <= arm.Warmup + arm.Steps; step++)
            {
                cancellation.ThrowIfCancellationRequested();
                var start = ClockReading.Now();
                losses.Add(trainer.TrainStep().Loss);
                var took = ClockReading.Now() - start;
                if (step > arm.Warmup) timed += took;
                log.WriteLine($"  {name}: step {step}/{arm.Warmup + arm.Steps}{(step <= arm.Warmup ? " (warm-up)" : "")} loss {losses[^1]:0.0000} in {took.Wall.TotalSeconds:0.00} s; resident {SparseBenchmarkRunner.Gib(PeakMemory.CurrentBytes())}, peak {SparseBenchmarkRunner.Gib(PeakMemory.ResidentBytes())}");
            }
            long checkpointBytes = -1;
            if (arm.Checkpoint)
            {
                string folder = Directory.CreateTempSubdirectory("sparsedsl-benchmark-").FullName;
                try
                {
                    string path = Path.Combine(folder, "checkpoint.sdsl");
                    trainer.SaveCheckpoint(path);
                    checkpointBytes = new FileInfo(path).Length;
                }
                finally
                {
                    Directory.Delete(folder, recursive: true);
                }
            }
            var plan = ((IScaledModel)trainer.Model).Plan;
            double ideal = MatmulIdeal(plan, masked.Where(l => l.IsSparseStorage).Select(l => l.Plan), arm.Context);
            return new SparseArmResult(arm, timed.Wall.TotalSeconds, timed.Cpu.TotalSeconds, [.. losses], PeakMemory.ResidentBytes(), checkpointBytes,
                sparse, masked.Count, ideal, [loadBefore, LoadAverage.Read()], Machine.Describe());
        }
    }

    /// <summary>
    /// The speed-up a perfect sparse kernel would give: the model's dense MACs per token over the MACs left when each of
    /// <paramref name="sparseStored"/> does only its kept products (density × its dense work); everything else unchanged.
    /// </summary>
    public static double MatmulIdeal(ModelPlan plan, IEnumerable<LayerPlan> sparseStored, int context)
    {
        var costs = ModelCost.Layers(plan, context).ToDictionary(c => c.Name, c => c.MultiplyAccumulates, StringComparer.Ordinal);
        double total = costs.Values.Sum();
        double saved = sparseStored.Sum(l => costs.GetValueOrDefault(l.Name) * (1 - l.Density));
        return total / (total - saved);
    }
}
