using System.CommandLine;

namespace SparseDsl.Examples.Cli;

/// <summary>The grid axes <c>sweep</c> and <c>vision-sweep</c> share: parameterizations, sparsities, base LRs, and the part to run.</summary>
internal static class SweepGridOptions
{
    /// <summary><c>--parameterizations</c>: one or more of sp, mup and supar.</summary>
    public static Option<string[]> Parameterizations(IEnumerable<string> defaults) => CliOptions.Checked(
        new Option<string[]>("--parameterizations")
        {
            Description = $"One or more of {CliOptions.ParameterizationChoices("and")}",
            AllowMultipleArgumentsPerToken = true,
            DefaultValueFactory = _ => [.. defaults],
        },
        v => v.Length > 0 && v.All(p => ParameterizationNames.TryParse(p, out _)), CliOptions.ParameterizationChoices("and/or"));

    /// <summary><c>--sparsities</c>, each in [0, 1); <paramref name="layers"/> says which layers they apply to.</summary>
    public static Option<double[]> Sparsities(string layers, IEnumerable<double> defaults) => CliOptions.Checked(
        new Option<double[]>("--sparsities") { Description = $"Sparsities of every {layers}", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => [.. defaults] },
        v => v.Length > 0 && v.All(s => s is >= 0 and < 1), "sparsities in [0, 1)");

    /// <summary><c>--log2-lrs</c>: base learning rates as powers of 2.</summary>
    public static Option<int[]> Log2LearningRates(IEnumerable<int> defaults) => CliOptions.Checked(
        new Option<int[]>("--log2-lrs") { Description = "Base learning rates as powers of 2 (η_base = 2^k)", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => [.. defaults] },
        v => v.Length > 0 && v.All(k => k is >= -30 and <= 2), "integers in [-30, 2]");

    /// <summary><c>--shard K/N</c>: one part of the grid; <paramref name="merge"/> is the command that joins the parts.</summary>
    public static Option<string?> Shard(string merge) => new("--shard")
    {
        Description = $"Run one part of the grid, balanced by FLOPs, into --out/shard-K-of-N: {SweepShard.Forms}. Join the parts with '{merge}'",
    };
}
