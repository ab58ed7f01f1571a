namespace SparseDsl;

/// <summary>
/// A token embedding (input layer): a <c>[Vocab, Dim]</c> lookup table, dense, initialised N(0, σ_base²), trained with
/// the base learning rate, and multiplied by α_input in the forward pass under μP and SμPar (Table 1).
/// Put it on a <c>partial</c> property of type <see cref="ScaledEmbedding"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class EmbeddingAttribute : Attribute
{
    /// <summary>Number of rows (vocabulary size). Finite: it does not scale with width.</summary>
    public int Vocab { get; set; }

    /// <summary>Embedding dimension as a dimension expression. Default <c>"width"</c>.</summary>
    public string Dim { get; set; } = "width";
}
