using SparseDsl.Examples.Cli;
using SparseDsl.Experiments.Training;

namespace SparseDsl.Tests;

/// <summary>
/// The one way the tests run the example CLI: in process, through <see cref="CliApp.Run"/>, as <c>Program.cs</c> does,
/// with what it printed captured. Every CLI test class calls it.
/// </summary>
internal static class CliRun
{
    /// <summary>Runs the CLI on <paramref name="args"/>; returns its exit code, standard output and standard error.</summary>
    public static (int Code, string Output, string Error) Invoke(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CliApp.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>Asserts that <paramref name="result"/> is bad input: exit code 2 and one <c>error: …</c> line containing <paramref name="message"/>.</summary>
    public static void AssertBadInput((int Code, string Output, string Error) result, string message)
    {
        Assert.True(result.Code == ExitCodes.BadInput, $"exit {result.Code}: {result.Error}");
        Assert.StartsWith("error: ", result.Error);
        Assert.Contains(message, result.Error);
        Assert.Single(result.Error.TrimEnd().Split('\n'));
    }
}
