namespace SparseDsl.Generators.Model;

/// <summary>A parsed dimension expression: finite <c>FixedSize</c>, or <c>Numerator·width/Denominator</c>.</summary>
internal sealed record DimensionSpec(int FixedSize, int Numerator, int Denominator)
{
    public bool ScalesWithWidth => Numerator > 0;

    public static DimensionSpec Fixed(int size) => new(size, 0, 1);

    public static DimensionSpec OfWidth(int numerator, int denominator) => new(0, numerator, denominator);

    /// <summary>The expression as a user writes it (the same text SparseDsl.Dimension prints at run time).</summary>
    public override string ToString() => !ScalesWithWidth
        ? FixedSize.ToString(System.Globalization.CultureInfo.InvariantCulture)
        : (Numerator, Denominator) switch
        {
            (1, 1) => "width",
            (_, 1) => $"{Numerator}*width",
            (1, _) => $"width/{Denominator}",
            _ => $"{Numerator}*width/{Denominator}",
        };
}
