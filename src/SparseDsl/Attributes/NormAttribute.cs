namespace SparseDsl;

/// <summary>
/// A normalisation layer (LayerNorm or RMSNorm) over the last dimension, on a <c>partial</c> property of type
/// <see cref="ScaledNorm"/>. Its gain is dense, initialised to 1, trained with the base learning rate and never
/// weight-decayed, in all three parameterizations (the paper: norms "match μP"; the reference code's choice).
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class NormAttribute : LayerAttribute<ScaledNorm>
{
    /// <summary>LayerNorm (default) or RMSNorm.</summary>
    public NormKind Kind { get; set; } = NormKind.LayerNorm;

    /// <summary>Normalised dimension as a dimension expression. Default <c>"width"</c>.</summary>
    public string Dim { get; set; } = AttributeDefaults.Dimension;

    /// <summary>Whether a LayerNorm has a bias (zero-initialised, like other biases). Not allowed on RMSNorm.</summary>
    public bool Bias { get; set; }

    /// <inheritdoc />
    public override LayerDescription Describe(LayerContext context)
    {
        if (!Enum.IsDefined(Kind)) throw new ArgumentException($"Kind = {(int)Kind} is not a NormKind");
        if (Kind == NormKind.RmsNorm && Bias) throw new ArgumentException("Bias = true: RMSNorm has no bias; use NormKind.LayerNorm or drop the bias");
        var dim = ParseDimension(nameof(Dim), Dim);
        ParameterDeclaration gain = ParameterDeclaration.Gain("weight", dim);
        return new(dim, dim, Bias ? [gain, ParameterDeclaration.Bias(dim)] : [gain]);
    }
}
