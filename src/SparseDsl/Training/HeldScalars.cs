using TorchSharp;

namespace SparseDsl;

/// <summary>
/// Scalars made once and held for the process's life, for the hot paths that would otherwise pass TorchSharp a
/// temporary one.
/// </summary>
/// <remarks>
/// TorchSharp's <c>a + b</c> and <c>add(Tensor)</c> pass a temporary <see cref="Scalar"/> 1 as alpha that nothing holds
/// while libtorch reads it, so a collection on another thread can finalize (free) it mid-call: libtorch then reads
/// freed memory and fails its toFloat check (seen once in a parallel test run). A temporary also leaves finalizer-only
/// garbage (issue 24). A held Scalar has neither problem.
/// </remarks>
internal static class HeldScalars
{
    /// <summary>1, the alpha of a plain sum.</summary>
    public static readonly Scalar One = 1.0f.ToScalar();
}
