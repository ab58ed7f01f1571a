using System.Runtime.CompilerServices;

namespace SparseDsl.Generators.Tests;

/// <summary>
/// Approved-file snapshots (Verify is not served here). <c>Snapshots/NAME.approved.txt</c> beside this file holds the
/// approved output; a different output fails the test and is written to <c>NAME.received.txt</c>. To approve, review
/// the received file and rename it, or run the tests once with SPARSEDSL_APPROVE_SNAPSHOTS=1.
/// </summary>
internal static class Snapshot
{
    public static void Match(string actual, string name, [CallerFilePath] string callerFile = "")
    {
        string folder = Path.Combine(Path.GetDirectoryName(callerFile)!, "Snapshots");
        string approved = Path.Combine(folder, name + ".approved.txt");
        string received = Path.Combine(folder, name + ".received.txt");
        actual = actual.Replace("\r\n", "\n");

        if (Environment.GetEnvironmentVariable("SPARSEDSL_APPROVE_SNAPSHOTS") == "1")
        {
            Directory.CreateDirectory(folder);
            File.WriteAllText(approved, actual);
            File.Delete(received);
            return;
        }

        string? expected = File.Exists(approved) ? File.ReadAllText(approved).Replace("\r\n", "\n") : null;
        if (expected == actual)
        {
            File.Delete(received);
            return;
        }
        Directory.CreateDirectory(folder);
        File.WriteAllText(received, actual);
        Assert.Fail(expected is null
            ? $"No approved snapshot {approved}. Review {received} and rename it to approve."
            : $"Generated output differs from {approved}. Review {received}; rename it over the approved file to accept.\n{FirstDifference(expected, actual)}");
    }

    private static string FirstDifference(string expected, string actual)
    {
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        for (int i = 0; i < Math.Max(e.Length, a.Length); i++)
        {
            string el = i < e.Length ? e[i] : "<end>";
            string al = i < a.Length ? a[i] : "<end>";
            if (el != al) return $"line {i + 1}:\n  approved: {el}\n  received: {al}";
        }
        return "";
    }
}
