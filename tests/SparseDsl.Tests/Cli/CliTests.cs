using SparseDsl.Examples.Cli;

namespace SparseDsl.Tests.Cli;

/// <summary>The example CLI end to end, in process: exit codes, one-line errors, nothing written on bad input, train → sample → resume.</summary>
public sealed class CliTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("sparsedsl-cli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Run(string folderName) => Path.Combine(_folder, folderName);

    private static (int Code, string Output, string Error) Invoke(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CliApp.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    // A model and run small enough for a unit test: width 32 is one 32-wide head.
    private static readonly string[] Tiny = ["--width", "32", "--depth", "1", "--batch", "2", "--context", "16", "--sample-length", "12"];

    public static TheoryData<string, string[], string> BadInputs() => new()
    {
        { "missing data file", ["--data", "/no/such/file.txt"], "Data file '/no/such/file.txt' does not exist." },
        { "unknown option", ["--bogus", "1"], "Unrecognized command or argument '--bogus'" },
        { "negative steps", ["--steps", "-5"], "--steps expects a positive integer, got '-5'." },
        { "steps not a number", ["--steps", "ten"], "Cannot parse argument 'ten' for option '--steps'" },
        { "width not divisible by heads", ["--width", "100"], "is not divisible by the head dimension 32" },
        { "sparsity out of range", ["--sparsity", "1"], "--sparsity expects a number in [0, 1), got '1'." },
        { "unknown parameterization", ["--parameterization", "ntk"], "--parameterization expects sp, mup or supar, got 'ntk'." },
        { "CUDA where there is none", ["--device", "cuda"], "CUDA is not available" },
        { "resume from a missing checkpoint", ["--resume", "/no/such/checkpoint.sdsl"], "/no/such/checkpoint.sdsl" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void Bad_input_gives_one_error_line_exit_code_2_and_writes_nothing(string why, string[] args, string message)
    {
        if (why.Contains("CUDA") && TorchSharp.torch.cuda.is_available()) return; // not bad input on a GPU machine
        string folder = Run("bad");
        var (code, _, error) = Invoke(["train", .. args, "--out", folder]);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains(message, error);
        Assert.StartsWith("error: ", error);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.False(Directory.Exists(folder), $"{why}: the run folder was created");
    }

    [Fact]
    public void An_empty_data_file_is_refused()
    {
        string empty = Path.Combine(_folder, "empty.txt");
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

        string checkpoint = Path.Combine(folder, TrainCommand.CheckpointFile);
        Assert.Equal(4, Checkpoint.ReadHeader(checkpoint).Step);
        var metrics = File.ReadAllLines(Path.Combine(folder, TrainCommand.MetricsFile));
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
    public void Help_lists_every_command()
    {
        var (code, output, _) = Invoke("--help");
        Assert.Equal(0, code);
        foreach (var command in new[] { "train", "sample", "describe", "coord-check" })
            Assert.Contains(command, output);
    }
}
