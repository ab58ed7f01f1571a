using System.CommandLine;

namespace SparseDsl.Examples.Cli;

/// <summary>
/// How the benchmark commands end: the Markdown report printed, and with <c>--out</c> also written (atomically) under a
/// first line that gives the command that made it, so a committed report says how to reproduce it.
/// </summary>
internal static class BenchmarkReportFile
{
    /// <summary>Prints <paramref name="markdown"/> to <paramref name="log"/> and writes it to <paramref name="output"/>'s file when given.</summary>
    public static void Publish(ParseResult result, Option<string?> output, string markdown, TextWriter log)
    {
        log.WriteLine();
        log.Write(markdown);
        if (result.GetValue(output) is not { } path) return;
        string text = $"Command: `dotnet run --project examples/SparseDsl.Examples -c Release -- {string.Join(' ', result.Tokens.Select(t => t.Value))}`\n\n{markdown}";
        AtomicFile.Write(path, stream => stream.Write(System.Text.Encoding.UTF8.GetBytes(text)));
        log.WriteLine($"written to {path}");
    }
}
