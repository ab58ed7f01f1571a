namespace SparseDsl;

/// <summary>
/// A token embedding (input layer): a <c>[Vocab, Dim]</c> lookup table, dense, initialised N(0, σ_base²), trained with
/// the base learning rate, and multiplied by α_input in the forward pass under μP and SμPar (Table 1).
/// Put it on a <c>partial</c> property of type <see cref="ScaledEmbedding"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class EmbeddingAttribute : LayerAttribute<ScaledEmbedding>
{
    /// <summary>Number of rows (vocabulary size). Finite: it does not scale with width. Give it or <see cref="Rows"/>.</summary>
    public int Vocab { get; set; }

    /// <summary>
    /// The rows as a finite dimension expression instead of <see cref="Vocab"/>: <c>"vocab"</c> reads the model's
    /// vocabulary, which is set at run time (<see cref="ModelOptions.Vocabulary"/>, e.g. from a tokenizer) and
    /// defaults to <see cref="WidthAttribute.Vocab"/>.
    /// </summary>
    public string? Rows { get; set; }

    /// <summary>Embedding dimension as a dimension expression. Default <c>"width"</c>.</summary>
    public string Dim { get; set; } = AttributeDefaults.Dimension;

    /// <inheritdoc />
    public override LayerDescription Describe(LayerContext context)
    {
        var vocab = VocabularyDimension();
        var dim = ParseDimension(nameof(Dim), Dim);
        // A row lookup reads one row: no fan-in to scale by.
        return new(vocab, dim, [new ParameterDeclaration("weight", [vocab, dim], ParameterInit.Normal) { Role = ParameterRole.Embedding }]);
    }

    private Dimension VocabularyDimension()
    {
        if (Rows is null)
        {
            if (Vocab <= 0) throw new ArgumentException($"Vocab = {Vocab}: the vocabulary must be a positive, finite size");
            return Dimension.Fixed(Vocab);
        }
        if (Vocab != 0) throw new ArgumentException($"Vocab = {Vocab} and Rows = \"{Rows}\" both give the rows; keep one");
        var rows = ParseDimension(nameof(Rows), Rows);
        if (rows.ScalesWithWidth) throw new ArgumentException($"Rows = \"{Rows}\": an embedding's rows must be finite (a vocabulary)");
        return rows;
    }
}
