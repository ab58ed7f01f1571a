using System.Text.RegularExpressions;

namespace SparseDsl.PackageTests;

/// <summary>The distinct warning IDs in a build's output.</summary>
public static partial class BuildWarnings
{
    /// <summary>
    /// NU1603 is left out: the registry on the project's machines lacks the exact minimum versions of two TorchSharp
    /// dependencies and resolves the next patch (see docs/packages), which says nothing about SparseDsl.
    /// </summary>
    public static IReadOnlySet<string> Ids(CliResult build) =>
        WarningId().Matches(build.Output).Select(m => m.Groups[1].Value).Where(id => id != "NU1603").ToHashSet();

    [GeneratedRegex(@"warning ([A-Z]+[0-9]+)")]
    private static partial Regex WarningId();
}
