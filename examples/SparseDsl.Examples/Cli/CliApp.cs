using System.CommandLine;
using SparseDsl.Experiments.CoordinateCheck;
using SparseDsl.Experiments.SatBenchmark;
using SparseDsl.Experiments.Sweep;
using SparseDsl.Experiments.Vision;

namespace SparseDsl.Examples.Cli;

/// <summary>
/// The example's command line: <c>train</c> (the default), <c>sample</c>, <c>prepare</c>, <c>export</c>, <c>import</c>, <c>describe</c>, <c>coord-check</c>, <c>sweep</c>, <c>sat-benchmark</c>, <c>sparse-benchmark</c>, <c>moe-balance</c>, <c>machine</c>, <c>vision</c> and <c>vision-sweep</c>.
/// Bad input of any kind ends in one <c>error: …</c> line and a non-zero exit code (see <see cref="ExitCodes"/>).
/// </summary>
public static class CliApp
{
    /// <summary>The root command's description, the first line of <c>--help</c>.</summary>
    public const string Description =
        "SparseDsl example: a GPT-style byte-level LM (ALiBi attention, SwiGLU MLPs, every projection sparse) trained with SμPar on the bundled State of the Union corpus.";

    /// <summary>Parses <paramref name="args"/> and runs the command; returns the exit code.</summary>
    /// <param name="args">The command line; with no command (or only options) it trains.</param>
    /// <param name="output">Where progress and results go.</param>
    /// <param name="error">Where error lines go.</param>
    /// <param name="interactive">Whether <paramref name="output"/> is a terminal (a live progress bar instead of lines).</param>
    /// <param name="cancellation">Ctrl+C: training checkpoints its last completed step and stops.</param>
    public static int Run(string[] args, TextWriter output, TextWriter error, bool interactive = false, CancellationToken cancellation = default)
    {
        var root = CreateRoot(interactive);
        // No command means train: the README's run command is just `dotnet run`.
        if (args.Length == 0 || (args[0].StartsWith('-') && args[0] is not ("--help" or "-h" or "-?" or "--version")))
            args = ["train", .. args];

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            error.WriteLine($"error: {OneLine(parsed.Errors[0].Message)} See --help.");
            return ExitCodes.BadInput;
        }
        try
        {
            var configuration = new InvocationConfiguration
            {
                Output = output,
                Error = error,
                EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = null, // Ctrl+C is ours: training checkpoints before it stops
            };
            return parsed.InvokeAsync(configuration, cancellation).GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            return Report(e, error);
        }
    }

    /// <summary>
    /// The one <c>error: …</c> line (on <paramref name="error"/>) and the exit code of an exception out of a command: bad
    /// input (an <see cref="ArgumentException"/>, a missing or unusable file, an <see cref="InvalidOperationException"/>
    /// such as CUDA asked for but absent, or a model whose <c>parameters()</c> hold a tensor outside its scaled plan, which
    /// <c>CreateAdamW</c> and the trainers refuse) is 2, Ctrl+C 130, anything else 1. Runs in parallel
    /// (<c>sweep --parallel N</c>) deliver their exceptions together in an <see cref="AggregateException"/>: the first one
    /// is reported, as if the runs had been one after the other.
    /// </summary>
    public static int Report(Exception exception, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(error);
        var e = Unwrap(exception);
        if (e is OperationCanceledException)
        {
            error.WriteLine("interrupted.");
            return ExitCodes.Interrupted;
        }
        if (IsBadInput(e))
        {
            error.WriteLine($"error: {FirstLine(e.Message)}");
            return ExitCodes.BadInput;
        }
        error.WriteLine($"error: unexpected {e.GetType().Name}: {FirstLine(e.Message)}");
        return ExitCodes.Failure;
    }

    private static Exception Unwrap(Exception e) => e switch
    {
        AggregateException { InnerExceptions.Count: > 0 } all => Unwrap(all.InnerExceptions[0]),
        System.Reflection.TargetInvocationException { InnerException: { } inner } => Unwrap(inner),
        _ => e,
    };

    /// <summary>
    /// Every command with its options, as <see cref="Run"/> parses them; a command with modes declares them with
    /// <see cref="CommandModes"/> (<see cref="CommandModes.Of"/>).
    /// </summary>
    /// <param name="interactive">Whether output goes to a terminal (a live progress bar instead of lines).</param>
    public static RootCommand CreateRoot(bool interactive = false) => new(Description)
    {
        TrainCommand.Create(interactive),
        SampleCommand.Create(),
        PrepareCommand.Create(interactive),
        ExportCommand.Create(),
        ImportCommand.Create(),
        DescribeCommand.Create(),
        CoordinateCheckCommand.Create(),
        SweepCommand.Create(),
        SatBenchmarkCommand.Create(),
        SparseBenchmarkCommand.Create(),
        MoeBalanceCommand.Create(),
        MachineCommand.Create(),
        VisionCommand.Create(),
        VisionSweepCommand.Create(),
    };

    // CUDA asked for but absent is InvalidOperationException: the user's choice, so bad input too.
    private static bool IsBadInput(Exception e) =>
        e is ArgumentException or FileNotFoundException or DirectoryNotFoundException or InvalidDataException or InvalidOperationException;

    // ArgumentOutOfRangeException appends "Actual value was …" on a second line; the first says it all.
    private static string FirstLine(string message) => message.Split('\n')[0].TrimEnd();

    // System.CommandLine lists an enum option's valid values one per line; an error is one line, so they are joined.
    private static string OneLine(string message)
    {
        var lines = message.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length <= 1 ? message.Trim() : lines[0] + " " + string.Join(", ", lines.Skip(1));
    }
}
