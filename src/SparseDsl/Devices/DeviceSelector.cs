using static TorchSharp.torch;

namespace SparseDsl;

/// <summary>Turns a user's device name into a TorchSharp device, failing loudly rather than falling back.</summary>
public static class DeviceSelector
{
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
