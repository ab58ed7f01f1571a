using static TorchSharp.torch;

namespace SparseDsl;

/// <summary>
/// One log line that says how a built model stores its masked weights, and why any that could be sparse are not: the
/// line a trainer's caller prints once, so that a run on a device without sparse kernels (CUDA) never takes the dense
/// masked path silently. <c>describe</c> gives the same reasons per layer.
/// </summary>
public static class SparseStorageNotice
{
    /// <summary>
    /// "Weight storage: 28 of 28 masked layers sparse …", with each reason that kept a masked layer dense and how many
    /// layers it applies to; null when the model has no masked linear or convolution layer.
    /// </summary>
    /// <remarks>
    /// Where some layer is sparse and <c>OMP_WAIT_POLICY</c> is unset on Linux, the line ends with the advice to set it
    /// to PASSIVE (see <see cref="OpenMpWaitPolicy"/>): it is not the default because it slows small dense models.
    /// </remarks>
    public static string? Of(nn.Module model) =>
        Of(model, OperatingSystem.IsLinux() ? Environment.GetEnvironmentVariable(OpenMpWaitPolicy.Variable) ?? "" : null);

    // waitPolicy: the OMP_WAIT_POLICY value, "" when unset, null where the advice does not apply (not Linux).
    internal static string? Of(nn.Module model, string? waitPolicy)
    {
        ArgumentNullException.ThrowIfNull(model);
        // Every layer with a sparse path counts: linear layers (a tied readout borrows an embedding's table) and convolutions.
        var masked = model.modules().OfType<ISparseStorageLayer>().Where(l => l.Plan.IsMasked && l is not ScaledLinear { IsTied: true }).ToList();
        if (masked.Count == 0) return null;
        int sparse = masked.Count(l => l.IsSparseStorage);
        var dense = masked.Where(l => !l.IsSparseStorage).GroupBy(l => Generalised(l.Storage.Reason))
            .Select(g => $"{g.Count()} {g.Key}").ToList();
        string line = $"Weight storage: {sparse} of {masked.Count} masked layers sparse (kept values and sparse kernels)";
        line = dense.Count == 0 ? line + "." : $"{line}; dense masked: {string.Join("; ", dense)}.";
        return sparse > 0 && waitPolicy == "" ? line + " " + PassiveAdvice : line;
    }

    private const string PassiveAdvice =
        "OMP_WAIT_POLICY is unset, so libtorch's idle OpenMP threads spin on the cores the sparse kernels need: set "
        + "OMP_WAIT_POLICY=PASSIVE (GptLm width 512, 87.5%, 2 cores: 1.51x over dense instead of 1.16x; docs/performance.md section 6).";

    // "dense masked: density 0.25 > 0.125 (measured crossover)" → "density 0.25 > 0.125 (measured crossover)".
    private static string Generalised(string reason)
    {
        foreach (string prefix in new[] { "dense masked: ", "dense: " })
            if (reason.StartsWith(prefix, StringComparison.Ordinal)) return reason[prefix.Length..];
        return reason;
    }
}
