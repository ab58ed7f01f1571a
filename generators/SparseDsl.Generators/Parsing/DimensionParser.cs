using SparseDsl.Generators.Specs;

namespace SparseDsl.Generators.Parsing;

/// <summary>Dimension expressions as the generator's <see cref="DimensionSpec"/>, parsed by the runtime's own parser (linked source).</summary>
internal static class DimensionParser
{
    public static bool TryParse(string? text, out DimensionSpec? dimension, out string error)
    {
        dimension = null;
        if (!DimensionExpression.TryParse(text, out int fixedSize, out int numerator, out int denominator, out bool vocabulary, out error)) return false;
        dimension = vocabulary ? DimensionSpec.Vocabulary : numerator > 0 ? DimensionSpec.OfWidth(numerator, denominator) : DimensionSpec.Fixed(fixedSize);
        return true;
    }
}
