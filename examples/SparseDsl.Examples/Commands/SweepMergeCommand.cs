using System.CommandLine;
using System.Globalization;
using System.Text;
using SparseDsl.Examples.Cli;

namespace SparseDsl.Examples.Cli;

/// <summary>
/// <c>sweep merge DIR...</c>: joins the parts that <c>sweep --shard K/N</c> wrote (on one machine or many) into the files
/// one unsharded <c>sweep</c> writes: <c>sweep.csv</c> (in grid order), <c>sweep-settings.txt</c>, <c>summary.md</c> and
/// a plot per width. Refuses (exit 2) parts of different grids or settings, and overlapping or missing runs, naming them.
/// </summary>
public static class SweepMergeCommand
{
    /// <summary>The <c>merge</c> subcommand of <c>sweep</c>.</summary>
    public static Command Create()
    {
        var folders = new Argument<string[]>("DIR")
        {
            Description = "Shard folders (shard-K-of-N), or folders holding them (a sharded sweep's --out)",
            Arity = ArgumentArity.OneOrMore,
        };
        var output = new Option<string>("--out")
        {
            Description = "Where the merged sweep.csv, summary.md and plots go (the folder an unsharded sweep would use)",
            DefaultValueFactory = _ => Path.Combine("runs", "sweep"),
        };
        var command = new Command("merge", "Join the parts of a sharded sweep (sweep --shard K/N) into one sweep.csv, summary.md and plots.") { folders, output };
        command.SetAction(result => Run(result.GetRequiredValue(folders), result.GetRequiredValue(output), result.InvocationConfiguration.Output));
        return command;
    }

    /// <summary>Merges the parts found in <paramref name="paths"/> into <paramref name="output"/>; returns the exit code.</summary>
    public static int Run(IReadOnlyList<string> paths, string output, TextWriter log)
    {
        var merged = SweepMerge.Read(SweepMerge.ShardFolders(paths));
        Directory.CreateDirectory(output);
        // The output folder is a plain sweep folder afterwards: an unsharded sweep of the same settings may resume in it.
        LearningRateSweep.CheckSharedSettings(merged.Settings, Path.Combine(output, LearningRateSweep.SettingsFile));
        string csv = Path.Combine(output, LearningRateSweep.CsvFile);
        RefuseToDropRuns(csv, merged);
        bool depth = merged.Settings.HasDepthAxis;
        var text = new StringBuilder().Append(SweepRecord.HeaderFor(depth)).Append('\n');
        foreach (var record in merged.Records) text.Append(record.ToCsv(depth)).Append('\n');
        AtomicFile.Write(csv, stream => stream.Write(Encoding.UTF8.GetBytes(text.ToString())));
        LearningRateSweep.WriteResults(merged.Settings, merged.Records, output, log);
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Merged {merged.Parts.Count} parts, {merged.Records.Count} runs: wrote {csv}, {Path.Combine(output, LearningRateSweep.SummaryFile)} and the plots."));
        return ExitCodes.Success;
    }

    // Merging again (after re-running a part) rewrites the same file; a folder holding other runs is another sweep's.
    private static void RefuseToDropRuns(string csv, MergedSweep merged)
    {
        if (!File.Exists(csv)) return;
        var keys = merged.Records.Select(r => r.Run.Key).ToHashSet();
        var others = SweepCsv.Read(csv, merged.Settings.HasDepthAxis).Where(r => !keys.Contains(r.Run.Key)).ToList();
        if (others.Count > 0)
            throw new ArgumentException(
                $"{csv} already holds {others.Count} runs that are not in these parts (first: {SweepMerge.Label(others[0].Run)}); merge into another --out.");
    }
}
