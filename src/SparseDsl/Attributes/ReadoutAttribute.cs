namespace SparseDsl;

/// <summary>
/// The output (unembedding) layer: width → a finite number of outputs (vocabulary, classes). Dense, initialised
/// N(0, σ_base²), trained with the base learning rate; its forward pass is multiplied by <c>α_output / m_d</c>
/// under μP and SμPar. This is the untied form (microsoft/mup's MuReadout); put it on a <c>partial</c> property
/// of type <see cref="ScaledLinear"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class ReadoutAttribute : Attribute
{
    /// <summary>Fan-in as a dimension expression. Default <c>"width"</c>.</summary>
    public string In { get; set; } = "width";

    /// <summary>Number of outputs: a finite dimension expression such as <c>"256"</c>.</summary>
    public string Out { get; set; } = "";

    /// <summary>Whether the layer has a bias.</summary>
    public bool Bias { get; set; }
}
