namespace SparseDsl.Generators.Specs;

/// <summary>
/// A parsed dimension expression: finite <c>FixedSize</c>, <c>Numerator·width/Denominator</c>, or the model's
/// vocabulary (<c>vocab</c>, finite, sized at run time).
/// </summary>
internal sealed record DimensionSpec(int FixedSize, int Numerator, int Denominator, bool IsVocabulary = false)
{
    public bool ScalesWithWidth => Numerator > 0;

    public static DimensionSpec Fixed(int size) => new(size, 0, 1);

    public static DimensionSpec OfWidth(int numerator, int denominator) => new(0, numerator, denominator);

    /// <summary>The model's vocabulary.</summary>
    public static DimensionSpec Vocabulary { get; } = new(0, 0, 1, IsVocabulary: true);

    /// <summary>The expression as a user writes it (the same text SparseDsl.Dimension prints at run time).</summary>
    public override string ToString() => IsVocabulary ? SparseDsl.DimensionExpression.Vocabulary : !ScalesWithWidth
        ? FixedSize.ToString(System.Globalization.CultureInfo.InvariantCulture)
        : (Numerator, Denominator) switch
        {
            (1, 1) => "width",
            (_, 1) => $"{Numerator}*width",
            (1, _) => $"width/{Denominator}",
            _ => $"{Numerator}*width/{Denominator}",
        };
}
