using SparseDsl.Generators.Specs;
using SparseDsl.Generators.Parsing;

namespace SparseDsl.Generators.Tests;

public class DimensionParserTests
{
    [Theory]
    [InlineData("width", 0, 1, 1)]
    [InlineData(" 4 * width ", 0, 4, 1)]
    [InlineData("width*4", 0, 4, 1)]
    [InlineData("width/2", 0, 1, 2)]
    [InlineData("2*width/4", 0, 1, 2)]
    [InlineData("784", 784, 0, 1)]
    [InlineData("8*32", 256, 0, 1)]
    public void Parses(string text, int fixedSize, int numerator, int denominator)
    {
        Assert.True(DimensionParser.TryParse(text, out var d, out string error), error);
        Assert.Equal(new DimensionSpec(fixedSize, numerator, denominator), d);
    }

    [Theory]
    [InlineData("vocab")]
    [InlineData(" vocab ")]
    public void Vocab_is_the_models_vocabulary_finite_and_sized_at_run_time(string text)
    {
        Assert.True(DimensionParser.TryParse(text, out var d, out string error), error);
        Assert.Equal(DimensionSpec.Vocabulary, d);
        Assert.False(d!.ScalesWithWidth);
        Assert.Equal("vocab", d.ToString());
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("width*width", "more than once")]
    [InlineData("4/width", "divides by 'width'")]
    [InlineData("vocb", "unknown name 'vocb' (only 'width' and 'vocab' are known)")]
    [InlineData("2*vocab", "'vocab' stands alone")]
    [InlineData("vocab*width", "'vocab' stands alone")]
    [InlineData("width+1", "unexpected '+'")]
    [InlineData("0*width", "zero")]
    [InlineData("7/2", "not a whole number")]
    [InlineData("99999999999", "fits in an int")]
    public void Rejects_with_a_reason(string text, string reason)
    {
        Assert.False(DimensionParser.TryParse(text, out _, out string error));
        Assert.Contains(reason, error);
    }

    [Theory]
    [InlineData("Hidden", "hidden")]
    [InlineData("LmHead", "lm_head")]
    [InlineData("MLPUp", "mlp_up")]
    [InlineData("Layer2Out", "layer2_out")]
    public void State_names_are_snake_case(string property, string expected) =>
        Assert.Equal(expected, ModelParser.SnakeCase(property));
}
