namespace SparseDsl.Tests;

/// <summary><see cref="ParameterizationNames"/>: the one table of display names and file/CLI tokens.</summary>
public class ParameterizationNamesTests
{
    [Theory]
    [InlineData(Parameterization.Standard, "SP", "SP")]
    [InlineData(Parameterization.MuP, "μP", "muP")]
    [InlineData(Parameterization.SuPar, "SμPar", "SuPar")]
    public void Each_parameterization_has_a_display_name_and_an_ASCII_token(Parameterization p, string display, string token)
    {
        Assert.Equal(display, p.DisplayName());
        Assert.Equal(token, p.Token());
        Assert.True(token.All(char.IsAscii), "tokens go into files and command lines");
    }

    [Fact]
    public void Every_name_parses_back_to_its_parameterization_in_any_case()
    {
        Assert.Equal(Enum.GetValues<Parameterization>(), ParameterizationNames.All);
        foreach (var p in ParameterizationNames.All)
        {
            foreach (string name in new[] { p.Token(), p.DisplayName(), p.Token().ToLowerInvariant(), p.Token().ToUpperInvariant(), p.DisplayName().ToUpperInvariant() })
            {
                Assert.True(ParameterizationNames.TryParse(name, out var parsed), name);
                Assert.Equal(p, parsed);
                Assert.Equal(p, ParameterizationNames.Parse(name));
            }
        }
        Assert.Equal(Parameterization.SuPar, ParameterizationNames.Parse("S\u00B5Par")); // the micro sign a keyboard types for μ
    }

    [Theory]
    [InlineData("ntk")]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("Standard")] // the enum's member name is neither a display name nor a token
    public void Anything_else_is_refused_with_the_choices(string? text)
    {
        Assert.False(ParameterizationNames.TryParse(text, out _));
        var e = Assert.Throws<FormatException>(() => ParameterizationNames.Parse(text));
        Assert.Equal($"Unknown parameterization '{text}'; expected SP, muP, SuPar (or μP, SμPar).", e.Message);
    }

    [Fact]
    public void An_undefined_value_has_no_name()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ((Parameterization)7).DisplayName());
        Assert.Throws<ArgumentOutOfRangeException>(() => ((Parameterization)7).Token());
    }
}
