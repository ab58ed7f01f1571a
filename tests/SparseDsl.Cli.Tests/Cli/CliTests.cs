using SparseDsl.Examples.Cli;
using SparseDsl.Experiments.Training;
using static SparseDsl.Tests.CliRun;

namespace SparseDsl.Tests.Cli;

/// <summary>The example CLI end to end, in process: exit codes, one-line errors, nothing written on bad input, train → sample → resume.</summary>
public sealed class CliTests : IDisposable
{
    private readonly TempFolder _folder = new("sparsedsl-cli-");

    public void Dispose() => _folder.Dispose();

    private string Run(string folderName) => _folder.File(folderName);

    // A model and run small enough for a unit test: width 32 is one 32-wide head.
    private static readonly string[] Tiny = ["--width", "32", "--depth", "1", "--batch", "2", "--context", "16", "--sample-length", "12"];

    // Tiny at width 64: two heads of 32, so half of them can be omitted.
    private static readonly string[] TinyTwoHeads = ["--width", "64", .. Tiny[2..]];

    public static TheoryData<string, string[], string> BadInputs() => new()
    {
        { "missing data file", ["--data", "/no/such/file.txt"], "Data file '/no/such/file.txt' does not exist." },
        { "unknown option", ["--bogus", "1"], "Unrecognized command or argument '--bogus'" },
        { "negative steps", ["--steps", "-5"], "--steps expects a positive integer, got '-5'." },
        { "steps not a number", ["--steps", "ten"], "Cannot parse argument 'ten' for option '--steps'" },
        { "width not divisible by heads", ["--width", "100"], "is not divisible by the head dimension 32" },
        { "sparsity out of range", ["--sparsity", "1"], "--sparsity expects a number in [0, 1), got '1'." },
        { "unknown parameterization", ["--parameterization", "ntk"], "--parameterization expects sp, mup or supar, got 'ntk'." },
        { "unknown depth rule", ["--depth-rule", "alpha"], "--depth-rule expects none, depth-mup or completep, got 'alpha'." },
        { "unknown model", ["--model", "Bert"], "--model expects one of GptLm, GptLmUntied, LlamaLm, MoeLm (short names: gpt, llama, moe), got 'Bert'." },
        { "--untied against --model", ["--untied", "--model", "GptLm"], "--untied asks for GptLmUntied but --model asks for GptLm" },
        { "SAT rate of 1", ["--sat-rate", "1"], "--sat-rate expects a number in [0, 1), got '1'." },
        { "unknown SAT metric", ["--sat-metric", "loudest"], "loudest" },
        { "a context no machine holds", ["--context", "100000"], "This run needs about" },
        { "resume from a missing checkpoint", ["--resume", "/no/such/checkpoint.sdsl"], "/no/such/checkpoint.sdsl" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void Bad_input_gives_one_error_line_exit_code_2_and_writes_nothing(string why, string[] args, string message) =>
        AssertRefused(why, args, message);

    [WithoutCudaFact]
    public void Cuda_where_there_is_none_gives_one_error_line_exit_code_2_and_writes_nothing() =>
        AssertRefused("CUDA where there is none", ["--device", "cuda"], "CUDA is not available");

    private void AssertRefused(string why, string[] args, string message)
    {
        string folder = Run("bad");
        var (code, _, error) = Invoke(["train", .. args, "--out", folder]);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains(message, error);
        Assert.StartsWith("error: ", error);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.False(Directory.Exists(folder), $"{why}: the run folder was created");
    }

    [Fact]
    public void Machine_names_the_cpu_and_torch_thread_count_on_one_line()
    {
        var (code, output, _) = Invoke("machine");
        Assert.Equal(ExitCodes.Success, code);
        Assert.StartsWith("machine: ", output);
        Assert.Matches(@"\d+ cores, \d+ torch threads", output); // not the exact count: the process's thread count is shared
        Assert.Single(output.TrimEnd().Split('\n'));
    }

    [Theory]
    [InlineData("sweep", "--context", "100000")]
    [InlineData("coord-check", "--width", "65536")]
    public void Sweeps_and_coordinate_checks_that_cannot_fit_are_refused_before_writing(string command, string option, string value)
    {
        string folder = Run(command);
        var (code, _, error) = Invoke(command, option, value, "--out", folder);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.StartsWith("error: ", error);
        Assert.Contains("needs about", error);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.False(Directory.Exists(folder), $"{command}: the output folder was created");
    }

    [Fact]
    public void An_empty_data_file_is_refused()
    {
        string empty = _folder.File("empty.txt");
        File.WriteAllText(empty, "");
        var (code, _, error) = Invoke("train", "--data", empty, "--out", Run("empty"));
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Equal($"error: Data file '{empty}' is empty.", error.TrimEnd());
        Assert.False(Directory.Exists(Run("empty")));
    }

    [Fact]
    public void Train_writes_checkpoint_metrics_and_events_then_sample_and_resume_use_the_checkpoint()
    {
        string folder = Run("tiny");
        var (code, output, error) = Invoke(["train", .. Tiny, "--steps", "4", "--log-every", "2", "--out", folder]);
        Assert.True(code == 0, error);
        Assert.Contains("step     4/4  loss ", output);
        Assert.Contains("final validation loss ", output);
        Assert.Contains("sample:\nThe Congress ", output);

        string checkpoint = Path.Combine(folder, TrainingJob.CheckpointFile);
        Assert.Equal(4, Checkpoint.ReadHeader(checkpoint).Step);
        var metrics = File.ReadAllLines(Path.Combine(folder, TrainingJob.MetricsFile));
        Assert.Equal(4, metrics.Count(l => l.Contains("\"split\":\"train\"")));
        Assert.Single(metrics, l => l.Contains("\"split\":\"validation\""));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(folder, "tensorboard"), "events.out.tfevents.*"));

        // Running again into the same folder would overwrite the run: refused.
        var again = Invoke(["train", .. Tiny, "--steps", "4", "--out", folder]);
        Assert.Equal(ExitCodes.BadInput, again.Code);
        Assert.Contains("already holds a run", again.Error);

        // --resume takes its settings from the checkpoint; a conflicting model option is refused.
        var conflicting = Invoke("train", "--resume", checkpoint, "--width", "64");
        Assert.Equal(ExitCodes.BadInput, conflicting.Code);
        Assert.Contains("remove --width", conflicting.Error);

        var sampled = Invoke("sample", "--checkpoint", checkpoint, "--prompt", "We ", "--sample-length", "20");
        Assert.True(sampled.Code == 0, sampled.Error);
        Assert.StartsWith("We ", sampled.Output);
        Assert.Equal(sampled.Output, Invoke("sample", "--checkpoint", checkpoint, "--prompt", "We ", "--sample-length", "20").Output);

        File.WriteAllText(checkpoint, "not a checkpoint");
        var corrupt = Invoke("sample", "--checkpoint", checkpoint);
        Assert.Equal(ExitCodes.BadInput, corrupt.Code);
        Assert.Contains(checkpoint, corrupt.Error);
    }

    [Fact]
    public void Train_shows_SAT_rates_and_saves_the_SAT_choice_for_resume()
    {
        string sat = Run("sat");
        var (code, output, error) = Invoke(["train", .. Tiny, "--steps", "4", "--log-every", "1", "--sat-rate", "0.6", "--sat-metric", "ActivationMagnitude", "--out", sat]);
        Assert.True(code == 0, error);
        Assert.Contains("blocks.0.mlp: SAT: omit 0.6 to 50%, 0.3 to 80%, then dense; ActivationMagnitude importance", output);
        Assert.Contains("SAT omit 0.6", output);
        var saved = RunConfig.FromJson(Checkpoint.ReadHeader(Path.Combine(sat, TrainingJob.CheckpointFile)).RunConfig, "checkpoint");
        Assert.Equal(0.6, saved.Acceleration!.Schedule.InitialRate);
        Assert.Equal(NeuronImportance.ActivationMagnitude, saved.Acceleration.Metric);
        Assert.Contains("\"sat_omission_rate\":0.6", File.ReadAllText(Path.Combine(sat, TrainingJob.MetricsFile)));

        string dense = Run("dense");
        (code, output, error) = Invoke(["train", .. Tiny, "--steps", "2", "--sat", "false", "--out", dense]);
        Assert.True(code == 0, error);
        Assert.Contains("SAT off (dense)", output);
        Assert.DoesNotContain("SAT omit", output);
        Assert.True(RunConfig.FromJson(Checkpoint.ReadHeader(Path.Combine(dense, TrainingJob.CheckpointFile)).RunConfig, "checkpoint").Acceleration!.IsOff);
    }

    [Fact]
    public void Train_with_recompute_logs_the_same_losses_saves_the_choice_and_is_refused_for_MoeLm()
    {
        string[] Losses(string folder) => [.. File.ReadLines(Path.Combine(folder, TrainingJob.MetricsFile))
            .Select(l => System.Text.RegularExpressions.Regex.Match(l, "\"loss\":([^,}]+)")).Where(m => m.Success).Select(m => m.Groups[1].Value)];
        string plain = Run("plain"), recomputed = Run("recomputed");
        var (code, _, error) = Invoke(["train", .. Tiny, "--steps", "4", "--out", plain]);
        Assert.True(code == 0, error);
        (code, _, error) = Invoke(["train", .. Tiny, "--steps", "4", "--recompute", "--out", recomputed]);
        Assert.True(code == 0, error);
        Assert.True(Losses(plain).Length >= 4, "metrics.jsonl logs a loss per step");
        Assert.Equal(Losses(plain), Losses(recomputed)); // the same gradients, so the same losses to the last digit
        var header = Checkpoint.ReadHeader(Path.Combine(recomputed, TrainingJob.CheckpointFile));
        Assert.True(RunConfig.FromJson(header.RunConfig, "checkpoint").Recompute);
        Assert.True(header.Recipe.Options.RecomputeBlocks);

        AssertBadInput(Invoke(["train", .. Tiny, "--model", "moe", "--steps", "2", "--recompute", "--out", Run("moe")]), "balance loss");
    }

    [Fact]
    public void Train_omits_heads_when_asked_shows_both_rates_and_saves_the_choice()
    {
        string heads = Run("heads");
        var (code, output, error) = Invoke(["train", .. TinyTwoHeads, "--steps", "2", "--log-every", "1", "--sat-head-rate", "0.5", "--sat-head-metric", "Uniform", "--out", heads]);
        Assert.True(code == 0, error);
        Assert.Contains("blocks.0.attention (2 heads): SAT: omit 0.5 to 50%", output);
        Assert.Contains("Uniform importance", output);
        Assert.Contains("SAT omit 0.5, heads 0.5", output);
        var saved = RunConfig.FromJson(Checkpoint.ReadHeader(Path.Combine(heads, TrainingJob.CheckpointFile)).RunConfig, "checkpoint");
        Assert.Equal(0.5, saved.HeadAcceleration!.Schedule.InitialRate);
        Assert.Equal(NeuronImportance.Uniform, saved.HeadAcceleration.Metric);
        Assert.Contains("\"sat_head_omission_rate\":0.5", File.ReadAllText(Path.Combine(heads, TrainingJob.MetricsFile)));

        // Without --sat-head-rate the example's heads keep their declared rate, 0: every head trains.
        string plain = Run("plain");
        (code, output, error) = Invoke(["train", .. TinyTwoHeads, "--steps", "1", "--log-every", "1", "--out", plain]);
        Assert.True(code == 0, error);
        Assert.Contains("blocks.0.attention (2 heads): SAT off (dense)", output);
        Assert.DoesNotContain("heads 0.5", output);

        var refused = Invoke(["train", .. Tiny, "--steps", "1", "--sat-head-metric", "Wanda", "--out", Run("refused")]);
        Assert.Equal(ExitCodes.BadInput, refused.Code);
        Assert.Contains("give --sat-head-rate too", refused.Error);
    }

    [Fact]
    public void The_SAT_benchmark_trains_three_arms_on_the_same_tokens_and_reports_the_ratios()
    {
        string report = _folder.File("sat.md");
        var (code, output, error) = Invoke("sat-benchmark", "--width", "64", "--depth", "1", "--steps", "6", "--batch", "2", "--context", "16", "--out", report);
        Assert.True(code == 0, error);
        Assert.Contains("MLP+heads / MLP only = ", output);
        Assert.Matches(@"\| dense \| 192 \|", output); // 6 steps of 2×16 tokens, in every arm
        Assert.Matches(@"\| SAT MLP \| 192 \|", output);
        Assert.Matches(@"\| SAT MLP\+heads \| 192 \|", output);
        // The default ladder at 6 steps: 3 at 0.5, 2 at 0.25, 1 dense; heads share it (2 heads: 0.25 rounds to none omitted).
        Assert.Matches(@"\| 0\.5 \| 0\.5 \| 3 \|", output);
        Assert.Matches(@"\| 0\.25 \| 0 \| 2 \|", output);
        Assert.Contains("load average (1, 5, 15 min)", output);
        Assert.StartsWith("Command: `dotnet run --project examples/SparseDsl.Examples -c Release -- sat-benchmark --width 64", File.ReadAllText(report));

        var refused = Invoke("sat-benchmark", "--sat-rate", "0", "--width", "64", "--depth", "1", "--steps", "2");
        Assert.Equal(ExitCodes.BadInput, refused.Code);
        Assert.Contains("would train their MLPs dense", refused.Error);
        refused = Invoke("sat-benchmark", "--sat-head-rate", "0", "--width", "64", "--depth", "1", "--steps", "2");
        Assert.Equal(ExitCodes.BadInput, refused.Code);
        Assert.Contains("would train every head", refused.Error);
    }

    [Fact]
    public void The_SAT_benchmark_runs_the_grouped_query_Llama()
    {
        var (code, output, error) = Invoke("sat-benchmark", "--model", "llama", "--width", "256", "--depth", "1", "--steps", "2", "--batch", "1", "--context", "8");
        Assert.True(code == 0, error);
        Assert.Contains("Model LlamaLm, width 256", output);
        Assert.Contains("2 head groups per layer", output); // 8 query heads, 2 key/value heads
        Assert.Matches(@"\| 0\.5 \| 0\.5 \| 1 \|", output);
    }

    [Fact]
    public void Help_lists_every_command()
    {
        var (code, output, _) = Invoke("--help");
        Assert.Equal(0, code);
        foreach (var command in new[] { "train", "sample", "describe", "coord-check", "sweep", "sat-benchmark" })
            Assert.Contains(command, output);
    }
}
