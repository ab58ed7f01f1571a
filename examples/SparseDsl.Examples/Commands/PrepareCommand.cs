using System.CommandLine;
using System.Diagnostics;
using Spectre.Console;
using SparseDsl.Data;
using SparseDsl.Examples.Cli;

namespace SparseDsl.Examples.Cli;

/// <summary>
/// <c>prepare</c>: tokenizes a text once into a token file (<see cref="TokenFile"/>) that <c>train</c>, <c>coord-check</c>
/// and <c>sweep</c> read with <c>--tokens</c>: the header records the tokenizer, the tokens are uint16 or uint32 by
/// vocabulary size, memory-mapped when read. A progress bar on a terminal, a line per tenth otherwise.
/// </summary>
internal static class PrepareCommand
{
    public static Command Create(bool interactive)
    {
        var tokenizer = CorpusArguments.TokenizerOption("The tokenizer", required: true);
        var data = new Option<string?>("--data") { Description = "The text file (or .gz) to tokenize (default: the bundled corpus)" };
        var output = new Option<string>("--out") { Description = "The token file to write (replaced atomically if it exists)", Required = true };
        var command = new Command("prepare", "Tokenize a text once into a token file for train, coord-check and sweep (--tokens)") { tokenizer, data, output };
        command.SetAction((result, cancellation) =>
        {
            var chosen = Tokenizers.Named(result.GetRequiredValue(tokenizer)!);
            string path = result.GetRequiredValue(output);
            if (Directory.Exists(path)) throw new ArgumentException($"--out '{path}' is a folder; give the token file's path.");
            using var corpus = BundledCorpus.OpenOrDefault(result.GetValue(data));
            var log = result.InvocationConfiguration.Output;
            log.WriteLine($"Tokenizing {corpus.Source} ({corpus.Text.Length:N0} bytes) with {chosen.Name} (vocabulary {chosen.VocabularySize:N0}).");
            var watch = Stopwatch.StartNew();
            var header = interactive
                ? AnsiConsole.Progress().AutoClear(false)
                    .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                    .Start(context =>
                    {
                        var task = context.AddTask("tokenizing", maxValue: corpus.Text.Length);
                        return TokenFile.Write(path, chosen, corpus, new Progress(done => task.Value = done), cancellation);
                    })
                : TokenFile.Write(path, chosen, corpus, new TenthsProgress(log, corpus.Text.Length, watch), cancellation);
            double seconds = watch.Elapsed.TotalSeconds;
            long tokens = header.TrainTokens + header.ValidationTokens;
            log.WriteLine($"Wrote {path}: {header.TrainTokens:N0} training and {header.ValidationTokens:N0} validation {header.Tokenizer} tokens " +
                $"({(double)(header.TrainBytes + header.ValidationBytes) / Math.Max(1, tokens):0.00} bytes/token, uint{8 * header.TokenBytes}) in {seconds:0.0} s.");
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    // IProgress without a synchronization context: reports arrive on the tokenizing thread, in order.
    private sealed class Progress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }

    private sealed class TenthsProgress(TextWriter log, long total, Stopwatch watch) : IProgress<long>
    {
        private int _tenths;

        public void Report(long value)
        {
            int tenths = total == 0 ? 10 : (int)(10 * value / total);
            if (tenths <= _tenths) return;
            _tenths = tenths;
            log.WriteLine($"tokenized {10 * tenths}% ({value:N0} of {total:N0} bytes, {value / 1e6 / Math.Max(watch.Elapsed.TotalSeconds, 1e-3):0.00} MB/s)");
        }
    }
}
