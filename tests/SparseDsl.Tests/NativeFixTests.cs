using System.Diagnostics;

namespace SparseDsl.Tests;

/// <summary>
/// The build's native-load fix, read back independently with binutils' readelf: the copy in this test's output has
/// GLIBCXX_3.4.32 marked WEAK exactly when the host libstdc++ lacks that version, and the NuGet cache is untouched.
/// </summary>
public class NativeFixTests
{
    private const string Version = "GLIBCXX_3.4.32";

    [LinuxFact]
    public void Output_copy_is_weak_only_where_the_host_needs_it_and_the_package_cache_is_untouched()
    {
        string output = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.True(File.Exists(output), $"{output} is missing from the test output");
        string? flags = VersionNeedFlags(output);
        Assert.NotNull(flags); // every TorchSharp 0.100–0.107 build asks for it

        bool hostHasVersion = HostLibStdCxx() is { } lib && File.ReadAllText(lib, System.Text.Encoding.Latin1).Contains(Version + "\0");
        Assert.Equal(hostHasVersion ? "none" : "WEAK", flags);

        string cache = Path.Combine(Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"),
            "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        if (File.Exists(cache)) Assert.Equal("none", VersionNeedFlags(cache));
    }

    /// <summary>The Flags column of readelf's version-needs entry for <see cref="Version"/>.</summary>
    private static string? VersionNeedFlags(string library)
    {
        var start = new ProcessStartInfo("readelf", ["-V", "--wide", library]) { RedirectStandardOutput = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start readelf (binutils)");
        string text = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        var line = text.Split('\n').FirstOrDefault(l => l.Contains("Name: " + Version));
        if (line is null) return null;
        int at = line.IndexOf("Flags: ", StringComparison.Ordinal) + "Flags: ".Length;
        return line[at..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
    }

    private static string? HostLibStdCxx() =>
        new[] { "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6" }
            .FirstOrDefault(File.Exists);
}
