namespace SparseDsl.Tests;

public class DimensionTests
{
    [Fact]
    public void Resolves_scaled_and_fixed_dimensions()
    {
        Assert.Equal(1024, Dimension.OfWidth(4).Resolve(256));
        Assert.Equal(128, Dimension.OfWidth(1, 2).Resolve(256));
        Assert.Equal(784, Dimension.Fixed(784).Resolve(256));
        Assert.Equal("2*width/3", Dimension.OfWidth(2, 3).ToString());
    }

    [Fact]
    public void A_width_that_does_not_divide_is_an_error()
    {
        var e = Assert.Throws<ArgumentException>(() => Dimension.OfWidth(1, 3).Resolve(100));
        Assert.Contains("not divisible by 3", e.Message);
    }
}
