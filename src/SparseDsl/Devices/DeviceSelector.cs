using static TorchSharp.torch;

namespace SparseDsl;

/// <summary>Turns a user's device name into a TorchSharp device, failing loudly rather than falling back.</summary>
public static class DeviceSelector
{
    /// <summary>
    /// The environment variable that names the device to use when none is given: <c>SPARSEDSL_DEVICE=cuda</c> sends the
    /// example CLI's commands (their <c>--device</c> default) and the repository's tests to the GPU. Unset or empty: CPU.
    /// </summary>
    public const string EnvironmentVariable = "SPARSEDSL_DEVICE";

    /// <summary>The device name in <see cref="EnvironmentVariable"/>, trimmed, or <c>"cpu"</c> when it is unset or empty.</summary>
    public static string DefaultName() => NameOrCpu(Environment.GetEnvironmentVariable(EnvironmentVariable));

    // The rule of DefaultName, apart from the process's environment so that it can be tested without changing it.
    internal static string NameOrCpu(string? value) => string.IsNullOrWhiteSpace(value) ? "cpu" : value.Trim();

    /// <summary>
    /// <see cref="Resolve"/> of <see cref="DefaultName"/>: the device <see cref="EnvironmentVariable"/> names, CPU when unset.
    /// A name that is not a device, or CUDA where there is none, fails with the variable named in the message.
    /// </summary>
    public static Device FromEnvironment()
    {
        string name = DefaultName();
        try
        {
            return Resolve(name);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"{EnvironmentVariable}: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException($"{EnvironmentVariable}={name}: {e.Message}", e);
        }
    }

    /// <summary>
    /// <c>"cpu"</c>, <c>"cuda"</c> or <c>"cuda:N"</c>. Throws <see cref="InvalidOperationException"/> when CUDA is asked for
    /// and not available (CPU build of TorchSharp, or no GPU/driver), and <see cref="ArgumentException"/> for other names.
    /// </summary>
    public static Device Resolve(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string n = name.Trim().ToLowerInvariant();
        if (n == "cpu") return CPU;
        if (n == "cuda" || n.StartsWith("cuda:", StringComparison.Ordinal))
        {
            if (!cuda.is_available())
                throw new InvalidOperationException(
                    $"Device '{name}' was requested but CUDA is not available. Reference a CUDA backend (package TorchSharp-cuda-linux " +
                    "or TorchSharp-cuda-windows instead of TorchSharp-cpu; in the SparseDsl repository: dotnet build -p:TorchBackend=cuda) " +
                    "on a machine with an NVIDIA GPU and driver, or use --device cpu.");
            return new Device(n);
        }
        throw new ArgumentException($"Unknown device '{name}': use 'cpu', 'cuda' or 'cuda:N'.", nameof(name));
    }
}
