namespace SparseDsl;

/// <summary>Which normalisation a <see cref="NormAttribute"/> layer computes.</summary>
public enum NormKind
{
    /// <summary><c>(x − mean) / √(var + ε) · g (+ b)</c>, ε = 1e-5.</summary>
    LayerNorm,

    /// <summary><c>x / √(mean(x²) + ε) · g</c>, ε = 1e-5.</summary>
    RmsNorm,
}
