using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SparseDsl;

/// <summary>Gradient housekeeping that leaves no tensor handle behind.</summary>
public static class Gradients
{
    // One for the process: TorchSharp 0.107's zero_() makes a finalizer-only native object per call, as does every
    // double passed where a Scalar is expected (issue 24: such garbage keeps glibc heap pages resident).
    private static readonly Scalar Zero0 = 0.0f.ToScalar();

    /// <summary>
    /// Zeroes every parameter's gradient in place (those without one are skipped), as <c>optimizer.zero_grad()</c> does.
    /// </summary>
    /// <remarks>
    /// TorchSharp 0.107's <c>zero_grad()</c> drops the handle that the in-place <c>zero_()</c> returns, so each call
    /// leaves one undisposed tensor per parameter for the finalizer: a trainer's live-tensor count then grows by the
    /// parameter count every step (measured by the memory benchmark in <c>benchmarks/</c>). This disposes the gradient
    /// handle and fills with a Scalar made once, so a step leaves nothing for the finalizer.
    /// </remarks>
    public static void Zero(IEnumerable<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        foreach (var parameter in parameters)
        {
            using var grad = parameter.grad;
            if (grad is null) continue;
            using var filled = grad.fill_(Zero0); // zero_() would leave a finalizer-only object; either way the returned handle is disposed
        }
    }

    /// <summary>Zeroes the gradients of every parameter in <paramref name="optimizer"/>'s groups; see <see cref="Zero(IEnumerable{Parameter})"/>.</summary>
    public static void Zero(optim.Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        Zero(optimizer.parameters());
    }
}
