namespace SparseDsl;

/// <summary>How a masked weight is stored and multiplied (docs/sparse-kernels.md).</summary>
public enum WeightStorage
{
    /// <summary>Each layer takes the faster path by <see cref="SparseDispatch"/>'s measured rule (the default).</summary>
    Auto,

    /// <summary>A dense weight times its 0/1 mask, multiplied with dense kernels (every layer before sparse storage).</summary>
    Dense,

    /// <summary>
    /// Only the kept values, with the pattern as int32 compressed rows, multiplied with SparseDsl's sparse CPU kernels.
    /// A layer the kernels cannot serve (an embedding, a grouped convolution, a non-CPU device) stays dense and says why.
    /// </summary>
    Sparse,
}
