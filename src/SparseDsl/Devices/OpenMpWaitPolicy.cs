using System.Runtime.InteropServices;

namespace SparseDsl;

/// <summary>What <see cref="OpenMpWaitPolicy.PreferPassive"/> found and did.</summary>
public enum OpenMpWaitOutcome
{
    /// <summary><c>OMP_WAIT_POLICY=PASSIVE</c> was set for this process before libtorch's OpenMP runtime loaded.</summary>
    Applied,

    /// <summary>The user had already set <c>OMP_WAIT_POLICY</c> (even to the empty string); their value is kept.</summary>
    KeptUserSetting,

    /// <summary>libtorch's OpenMP runtime was already loaded, so it had read its settings: nothing changed.</summary>
    TooLate,

    /// <summary>Not on Linux: the process environment is not changed (the OpenMP runtime there is another one).</summary>
    Unsupported,
}

/// <summary>
/// Makes libtorch's idle OpenMP threads sleep rather than spin, so that the sparse kernels, which run on the .NET
/// thread pool, get the cores.
/// </summary>
/// <remarks>
/// <para>
/// libtorch's CPU build ships GNU OpenMP, whose workers spin for a while after each parallel region by default. The
/// sparse kernels start right after such regions (the dense ops around them), so on a 2-core machine a spinning worker
/// takes one of the two cores the kernel's threads need. Measured in docs/performance.md section 6: GptLm width 512,
/// 87.5% sparse, auto storage, on a quiet 2-core AMD EPYC, sparse over dense went from 1.16× to 1.38× with PASSIVE, and
/// the dense arm itself did not slow down (1,066 → 1,106 tokens/s).
/// </para>
/// <para>
/// GNU OpenMP reads <c>OMP_WAIT_POLICY</c> once, when the library loads, from the native environment; .NET's
/// <see cref="Environment.SetEnvironmentVariable(string, string)"/> does not reach that environment on Linux, so this
/// calls libc's <c>setenv</c> (and sets the managed copy too, so that child processes inherit it). It therefore has to
/// run before the first TorchSharp call of the process: the example CLI calls it first thing in <c>Main</c>.
/// </para>
/// </remarks>
public static class OpenMpWaitPolicy
{
    /// <summary>The OpenMP environment variable this sets.</summary>
    public const string Variable = "OMP_WAIT_POLICY";

    /// <summary>
    /// Sets <c>OMP_WAIT_POLICY=PASSIVE</c> unless the user set the variable or libtorch's OpenMP runtime is already
    /// loaded. Call it before any TorchSharp call. To keep OpenMP's own spinning default, set the variable empty
    /// (<c>OMP_WAIT_POLICY=</c>).
    /// </summary>
    public static OpenMpWaitOutcome PreferPassive()
    {
        // Set at all, even empty, counts as the user's choice: OMP_WAIT_POLICY= (empty) keeps OpenMP's own default.
        if (Environment.GetEnvironmentVariable(Variable) is not null) return OpenMpWaitOutcome.KeptUserSetting;
        if (!OperatingSystem.IsLinux()) return OpenMpWaitOutcome.Unsupported;
        if (OpenMpLoaded()) return OpenMpWaitOutcome.TooLate;
        if (setenv(Variable, "PASSIVE", overwrite: 0) != 0)
            throw new InvalidOperationException($"setenv({Variable}) failed with errno {Marshal.GetLastPInvokeError()}.");
        Environment.SetEnvironmentVariable(Variable, "PASSIVE");
        return OpenMpWaitOutcome.Applied;
    }

    /// <summary>The wait policy in effect, in words, for a benchmark's header: for example <c>OMP_WAIT_POLICY=PASSIVE</c>.</summary>
    public static string Describe()
    {
        string? value = Environment.GetEnvironmentVariable(Variable);
        return string.IsNullOrEmpty(value) ? $"{Variable} unset (OpenMP's default: spin, then sleep)" : $"{Variable}={value}";
    }

    // Whether GNU OpenMP (libtorch's libgomp, bundled under a hashed name) is mapped into this process already.
    private static bool OpenMpLoaded()
    {
        try
        {
            return File.ReadLines("/proc/self/maps").Any(line => line.Contains("libgomp", StringComparison.Ordinal));
        }
        catch (IOException)
        {
            return false;
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int setenv(string name, string value, int overwrite);
}
