using System.Diagnostics;
using System.Text;

namespace SparseDsl.PackageTests;

/// <summary>The output and exit code of one <c>dotnet</c> command.</summary>
public sealed record CliResult(string Command, int ExitCode, string Output)
{
    /// <summary>Fails the test with the command's whole output unless it exited 0.</summary>
    public CliResult ShouldSucceed()
    {
        Assert.True(ExitCode == 0, $"'{Command}' exited {ExitCode}:\n{Output}");
        return this;
    }
}

/// <summary>
/// Runs the SDK's <c>dotnet</c> as a user would from a shell. The test host's own MSBuild variables are removed, so a
/// nested build resolves SDKs and node reuse like a fresh terminal does.
/// </summary>
public static class DotnetCli
{
    static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);

    public static CliResult Run(string workingDirectory, params string[] arguments) => Run(workingDirectory, null, arguments);

    /// <summary>
    /// Runs <c>dotnet</c> with <paramref name="environment"/> set in the child's environment (a null value removes the
    /// variable), so a test can say which device variables a program sees whatever the test host has.
    /// </summary>
    public static CliResult Run(string workingDirectory, IReadOnlyDictionary<string, string?>? environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        foreach (string name in start.Environment.Keys.ToList())
        {
            if (name.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || name.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase))
                start.Environment.Remove(name);
        }
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        // No lingering build servers: each command ends when its work does, so the test run can end too.
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        start.Environment["UseSharedCompilation"] = "false";
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
            start.Environment[name] = value;

        string command = "dotnet " + string.Join(' ', arguments);
        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"'{command}' did not finish within {Timeout.TotalMinutes} minutes:\n{output}");
        }
        process.WaitForExit();
        lock (output)
            return new CliResult(command, process.ExitCode, output.ToString());
    }
}
