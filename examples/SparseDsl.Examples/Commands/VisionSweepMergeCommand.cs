using System.CommandLine;

namespace SparseDsl.Examples.Cli;

/// <summary><c>vision-sweep merge</c>: joins the parts of a sharded vision sweep (<see cref="VisionSweepShards.Merge"/>).</summary>
internal static class VisionSweepMergeCommand
{
    /// <summary>The <c>merge</c> subcommand of <c>vision-sweep</c>.</summary>
    public static Command Create()
    {
        var folders = new Argument<string[]>("DIR") { Description = "Shard folders (shard-K-of-N), or folders holding them (a sharded vision sweep's --out)", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--out") { Description = "Where the merged sweep.csv, summary.md and sweep.png go", DefaultValueFactory = _ => Path.Combine("runs", "vision-sweep") };
        var command = new Command("merge", "Join the parts of a sharded vision sweep (vision-sweep --shard K/N) into one sweep.csv, summary.md and sweep.png.") { folders, output };
        command.SetAction(result => VisionSweepShards.Merge(result.GetRequiredValue(folders), result.GetRequiredValue(output), result.InvocationConfiguration.Output));
        return command;
    }
}
