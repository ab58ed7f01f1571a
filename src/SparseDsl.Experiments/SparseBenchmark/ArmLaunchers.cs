using System.Diagnostics;
using System.Text.Json;
using SparseDsl.Data;

namespace SparseDsl.Experiments.SparseBenchmark;

/// <summary>Runs a benchmark arm somewhere and returns what it measured.</summary>
public interface IArmLauncher
{
    /// <summary>Runs <paramref name="arm"/>, writing its progress to <paramref name="log"/>.</summary>
    SparseArmResult Launch(SparseArm arm, TextWriter log, CancellationToken cancellation);
}

/// <summary>
/// Runs each arm in a fresh process of this program (<c>sparse-benchmark --arm …</c>), so that the peak resident set it
/// reports is that arm's alone: a process's high-water mark never comes down, and freed tensors stay mapped by the
/// allocator, so arms run one after another in one process would report the largest one's peak for all.
/// </summary>
/// <param name="arguments">
/// The command line of this program that runs one arm, given the arm and the path its result must be written to
/// (as JSON of <see cref="SparseArmResult"/>, which <see cref="ArmRunner.Run"/> returns): the CLI's hidden
/// <c>sparse-benchmark --arm</c> form.
/// </param>
public sealed class ChildProcessLauncher(Func<SparseArm, string, IEnumerable<string>> arguments) : IArmLauncher
{
    /// <inheritdoc />
    public SparseArmResult Launch(SparseArm arm, TextWriter log, CancellationToken cancellation)
    {
        string result = Path.Combine(Path.GetTempPath(), $"sparsedsl-arm-{Guid.NewGuid():N}.json");
        try
        {
            var start = Self();
            foreach (string argument in arguments(arm, result)) start.ArgumentList.Add(argument);
            start.RedirectStandardOutput = true;
            start.RedirectStandardError = true;
            start.UseShellExecute = false;
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {start.FileName}.");
            var error = process.StandardError.ReadToEndAsync(cancellation);
            while (process.StandardOutput.ReadLine() is { } line) log.WriteLine(line);
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"The {arm.Storage} arm at width {arm.Width}, sparsity {arm.Sparsity} failed (exit {process.ExitCode}): {error.Result.Trim()}");
            return JsonSerializer.Deserialize(File.ReadAllText(result), SparseBenchmarkJsonContext.Default.SparseArmResult)
                ?? throw new InvalidDataException($"The arm wrote an empty result to {result}.");
        }
        finally
        {
            File.Delete(result);
        }
    }

    // This program again: its apphost, or `dotnet <the dll>` when it runs under the dotnet host.
    private static ProcessStartInfo Self()
    {
        string host = Environment.ProcessPath ?? throw new InvalidOperationException("The path of this program is unknown, so the arms cannot run in processes of their own.");
        var start = new ProcessStartInfo(host);
        if (Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
            start.ArgumentList.Add(System.Reflection.Assembly.GetEntryAssembly()?.Location
                ?? throw new InvalidOperationException("This program has no entry assembly, so the arms cannot run in processes of their own."));
        return start;
    }
}

/// <summary>Runs each arm in this process (a test's launcher: its peak resident set is the process's, not the arm's).</summary>
public sealed class InProcessLauncher(TextCorpus corpus) : IArmLauncher
{
    /// <inheritdoc />
    public SparseArmResult Launch(SparseArm arm, TextWriter log, CancellationToken cancellation) => ArmRunner.Run(arm, corpus, log, cancellation);
}
