using System.CommandLine;
using SparseDsl.Data;
using SparseDsl.Experiments.Gpt;
using static TorchSharp.torch;

namespace SparseDsl.Examples.Cli;

/// <summary>
/// <c>train</c>: trains the GPT example with its generated trainer, shows progress, writes metrics (JSONL and
/// TensorBoard) and atomic checkpoints to <c>--out</c>, then prints a sample. Every input is checked before anything
/// is written.
/// </summary>
public static class TrainCommand
{
    /// <summary>The <c>train</c> command; <paramref name="interactive"/> shows a live progress bar instead of lines.</summary>
    internal static Command Create(bool interactive)
    {
        var defaults = new RunConfig();
        var model = new ModelArguments();
        var steps = CliOptions.PositiveLong("--steps", "Optimizer steps", defaults.Steps);
        var batch = CliOptions.Positive("--batch", "Sequences per micro-batch", defaults.Batch);
        var context = CliOptions.Positive("--context", "Sequence length in tokens (bytes, unless --tokens)", defaults.Context);
        var accumulate = CliOptions.Positive("--accumulate", "Micro-batches per optimizer step (gradient accumulation)", defaults.Accumulate);
        var schedule = new Option<ScheduleKind>("--schedule") { Description = "LR after warm-up: Linear (the paper's), Cosine or Constant", DefaultValueFactory = _ => defaults.Schedule };
        var warmup = CliOptions.Fraction("--warmup", "Fraction of the steps spent warming up the LR from 0", defaults.Warmup);
        var finalLr = CliOptions.Fraction("--final-lr", "The last step's LR as a fraction of the peak", defaults.FinalLearningRate, includeOne: true);
        var clip = CliOptions.Checked(
            new Option<double>("--clip") { Description = "Clip the global gradient norm to this; 0 turns clipping off", DefaultValueFactory = _ => defaults.Clip ?? 0 },
            v => v >= 0 && double.IsFinite(v), "0 or a positive number");
        var weightDecay = CliOptions.Checked(
            new Option<double>("--weight-decay") { Description = "AdamW decoupled weight decay (weights only)", DefaultValueFactory = _ => defaults.WeightDecay },
            v => v >= 0 && double.IsFinite(v), "0 or a positive number");
        var beta1 = CliOptions.Fraction("--beta1", "AdamW β₁", defaults.Beta1);
        var beta2 = CliOptions.Fraction("--beta2", "AdamW β₂", defaults.Beta2);
        var data = new Option<string?>("--data") { Description = "Train on this text file (or .gz) instead of the bundled corpus, one token per byte" };
        var recompute = new Option<bool>("--recompute") { Description = "Recompute each block's activations in the backward pass instead of keeping them: less memory for about one more forward pass, the same gradients (not with MoeLm)" };
        var corpus = new CorpusArguments();
        var sat = new SatArguments();
        Option[] runOptions = [.. model.All, steps, batch, context, accumulate, schedule, warmup, finalLr, clip, weightDecay, beta1, beta2, recompute, data, .. corpus.All, .. sat.All];

        var device = CliOptions.Device();
        var output = new Option<string?>("--out") { Description = "Run folder for checkpoint, metrics.jsonl and tensorboard/ (default: runs/train-<time>, or the resumed checkpoint's folder)" };
        var resume = new Option<string?>("--resume") { Description = "Continue the run saved in this checkpoint, with its saved settings" };
        var evalEvery = CliOptions.NonNegativeLong("--eval-every", "Evaluate on held-out text every N steps (0: only at the end)", 100);
        var checkpointEvery = CliOptions.NonNegativeLong("--checkpoint-every", "Checkpoint every N steps (0: only at the end)", 100);
        var logEvery = CliOptions.PositiveLong("--log-every", "Print a progress line every N steps when output is not a terminal", 50);
        var gcInterval = CliOptions.Checked(
            new Option<double>("--gc-interval") { Description = "Collect finalizer-only native garbage every this many seconds (0, the default: leave it to the .NET GC)", DefaultValueFactory = _ => 0 },
            v => v >= 0 && double.IsFinite(v), "0 or a positive number of seconds");
        var sample = new SampleArguments();

        var command = new Command("train", "Train the GPT example (the default command), then print a sample");
        foreach (var option in runOptions.Concat([device, output, resume, evalEvery, checkpointEvery, logEvery, gcInterval]).Concat(sample.All))
            command.Options.Add(option);

        // A resumed run keeps its saved settings, so the options that make a run apply to a new run only; SAT's rates and
        // metrics only with SAT on, the MLP's only to a model without experts; --router-alpha only to a model with them.
        var run = new ModeAxis("run", [new("new", "train (a new run)"), new("resume", "train --resume, which continues the saved run with its saved settings", "--resume", "checkpoint.sdsl")],
            r => r.GetResult(resume) is { Implicit: false } ? "resume" : "new");
        var acceleration = new ModeAxis("sat", [new("on", "train with SAT (--sat true, the default)"), new("off", "train --sat false", "--sat", "false")],
            r => CommandModes.Value(r, sat.Enabled) ? "on" : "off");
        var kind = model.KindAxis("train");
        var modes = CommandModes.For(command, run, acceleration, kind)
            .Only(runOptions, run, "new")
            .Only([sat.Rate, sat.Metric, sat.HeadRate, sat.HeadMetric], acceleration, "on");
        model.Restrict(modes, kind);
        modes.Only([sat.Rate, sat.Metric], kind, "dense"); // an expert bank has no [SparsityAccelerated] MLP; its attention heads do

        command.SetAction((result, cancellation) =>
        {
            var log = result.InvocationConfiguration.Output;
            string? resumeFrom = result.GetValue(resume);
            RunConfig config;
            string folder;
            if (resumeFrom is not null)
            {
                var header = Checkpoint.ReadHeader(resumeFrom);
                // The recipe says which model the checkpoint holds (a run config saved before --model existed does not).
                config = RunConfig.FromJson(header.RunConfig, resumeFrom) with { Model = header.Recipe.ModelType };
                folder = result.GetValue(output) ?? Path.GetDirectoryName(Path.GetFullPath(resumeFrom))!;
            }
            else
            {
                config = model.Bind(result, defaults) with
                {
                    Steps = result.GetValue(steps),
                    Batch = result.GetValue(batch),
                    Context = result.GetValue(context),
                    Accumulate = result.GetValue(accumulate),
                    Schedule = result.GetValue(schedule),
                    Warmup = result.GetValue(warmup),
                    FinalLearningRate = result.GetValue(finalLr),
                    Clip = result.GetValue(clip) is var c && c > 0 ? c : null,
                    WeightDecay = result.GetValue(weightDecay),
                    Beta1 = result.GetValue(beta1),
                    Beta2 = result.GetValue(beta2),
                    Recompute = result.GetValue(recompute),
                    Data = result.GetValue(data),
                };
                config = corpus.Bind(result, config);
                config = sat.Bind(result, config);
                folder = result.GetValue(output) ?? Path.Combine("runs", $"train-{DateTime.Now:yyyyMMdd-HHmmss}");
                string existing = Path.Combine(folder, TrainingJob.CheckpointFile);
                if (File.Exists(existing))
                    throw new ArgumentException($"'{folder}' already holds a run; continue it with --resume {existing} or choose another --out.");
            }
            var job = new TrainingJob(config, folder, DeviceSelector.Resolve(result.GetRequiredValue(device)), resumeFrom)
            {
                EvaluateEvery = result.GetValue(evalEvery),
                CheckpointEvery = result.GetValue(checkpointEvery),
                LogEvery = result.GetValue(logEvery),
                GarbageCollectionInterval = result.GetValue(gcInterval) is > 0 and var seconds ? TimeSpan.FromSeconds(seconds) : null,
                Sample = sample.Bind(result),
                Live = interactive ? (steps, run, units) => LiveProgress.Run(steps, run, units) : null,
                Log = log,
                Error = result.InvocationConfiguration.Error,
            };
            return Task.FromResult(job.Run(cancellation));
        });
        return command;
    }
}
