namespace SparseDsl.Generators.Model;

/// <summary>A parsed dimension expression: finite <c>FixedSize</c>, or <c>Numerator·width/Denominator</c>.</summary>
internal sealed record DimensionSpec(int FixedSize, int Numerator, int Denominator)
{
    public bool ScalesWithWidth => Numerator > 0;

    public static DimensionSpec Fixed(int size) => new(size, 0, 1);

    public static DimensionSpec OfWidth(int numerator, int denominator) => new(0, numerator, denominator);
}
