namespace SparseDsl.Tests;

/// <summary>A fact about the Linux build only; elsewhere the run reports it as skipped, with the reason, not as passed.</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux()) Skip = "Linux only: the native-load fix runs on Linux hosts.";
    }
}

/// <summary>
/// A fact about a host without a usable GPU (asking for CUDA there is bad input). On a CUDA build with a GPU the same
/// request is valid, so the run reports the fact as skipped, with the reason, instead of passing it unchecked.
/// </summary>
public sealed class WithoutCudaFactAttribute : FactAttribute
{
    public WithoutCudaFactAttribute()
    {
        if (TorchSharp.torch.cuda.is_available()) Skip = "This host has CUDA, so a CUDA request is not an error here.";
    }
}
