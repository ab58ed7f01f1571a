namespace SparseDsl;

/// <summary>
/// A normalisation layer (LayerNorm or RMSNorm) over the last dimension, on a <c>partial</c> property of type
/// <see cref="ScaledNorm"/>. Its gain is dense, initialised to 1, trained with the base learning rate and never
/// weight-decayed, in all three parameterizations (the paper: norms "match μP"; the reference code's choice).
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class NormAttribute : Attribute
{
    /// <summary>LayerNorm (default) or RMSNorm.</summary>
    public NormKind Kind { get; set; } = NormKind.LayerNorm;

    /// <summary>Normalised dimension as a dimension expression. Default <c>"width"</c>.</summary>
    public string Dim { get; set; } = "width";

    /// <summary>Whether a LayerNorm has a bias (zero-initialised, like other biases). Not allowed on RMSNorm.</summary>
    public bool Bias { get; set; }
}
