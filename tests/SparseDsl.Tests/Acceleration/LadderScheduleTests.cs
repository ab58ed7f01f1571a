namespace SparseDsl.Tests.Acceleration;

/// <summary>The ladder omission-rate schedule: a fixed rate, equal steps down, a dense end.</summary>
public class LadderScheduleTests
{
    private static double[] Rates(LadderSchedule ladder, int steps) =>
        Enumerable.Range(1, steps).Select(s => ladder.Rate(s, steps)).ToArray();

    [Fact]
    public void The_default_ladder_holds_half_the_run_steps_down_once_and_ends_dense()
    {
        var ladder = SparsityAcceleration.Default.Schedule;
        Assert.Equal(new LadderSchedule(0.5, 2, 0.5, 0.2), ladder);
        var rates = Rates(ladder, 100);
        Assert.All(rates[..50], r => Assert.Equal(0.5, r));
        Assert.All(rates[50..80], r => Assert.Equal(0.25, r));
        Assert.All(rates[80..], r => Assert.Equal(0.0, r));
        Assert.Equal((50 * 0.5 + 30 * 0.25) / 100, ladder.MeanRate(100), 12);
        Assert.Equal("omit 0.5 to 50%, 0.25 to 80%, then dense", ladder.ToString());
    }

    [Theory]
    [InlineData(0.6, 3, 0.4, 0.15)]
    [InlineData(0.3, 4, 0.2, 0.0)]
    [InlineData(0.9, 1, 0.5, 0.3)]
    [InlineData(0.45, 5, 0.1, 0.5)]
    public void Every_ladder_starts_at_its_rate_never_rises_and_has_one_level_per_rung(double rate, int rungs, double hold, double dense)
    {
        var ladder = new LadderSchedule(rate, rungs, hold, dense);
        var rates = Rates(ladder, 1000);
        Assert.Equal(rate, rates[0]);
        for (int i = 1; i < rates.Length; i++) Assert.True(rates[i] <= rates[i - 1], $"rate rose at step {i + 1}");
        var levels = rates.Where(r => r > 0).Distinct().OrderDescending().ToArray();
        Assert.Equal(Enumerable.Range(0, rungs).Select(j => rate * (rungs - j) / rungs), levels, new Tolerance(1e-12));
        // Dense for exactly the last DenseFraction of the run.
        Assert.Equal((int)Math.Round(dense * 1000), rates.Count(r => r == 0));
        // With one rung the hold runs into the dense phase; otherwise the first rung lasts HoldFraction.
        int firstRung = rates.TakeWhile(r => r == rate).Count();
        Assert.Equal(rungs == 1 ? (int)Math.Round((1 - dense) * 1000) : (int)Math.Round(hold * 1000), firstRung);
    }

    [Fact]
    public void Zero_rate_is_dense_throughout()
    {
        Assert.All(Rates(LadderSchedule.Dense, 10), r => Assert.Equal(0.0, r));
        Assert.True(SparsityAcceleration.Off.IsOff);
        Assert.Equal("dense", LadderSchedule.Dense.ToString());
    }

    [Theory]
    [InlineData(1.0, 2, 0.5, 0.2)]
    [InlineData(-0.1, 2, 0.5, 0.2)]
    [InlineData(0.5, 0, 0.5, 0.2)]
    [InlineData(0.5, 2, 0.0, 0.2)]
    [InlineData(0.5, 2, 0.5, 1.0)]
    [InlineData(0.5, 2, 0.7, 0.4)]
    [InlineData(double.NaN, 2, 0.5, 0.2)]
    public void Out_of_range_ladders_are_refused(double rate, int rungs, double hold, double dense)
    {
        var ladder = new LadderSchedule(rate, rungs, hold, dense);
        Assert.Throws<ArgumentOutOfRangeException>(ladder.Validate);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SparsityAcceleration(ladder).Validate());
    }

    [Fact]
    public void Steps_outside_the_run_are_refused()
    {
        var ladder = SparsityAcceleration.Default.Schedule;
        Assert.Throws<ArgumentOutOfRangeException>(() => ladder.Rate(0, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => ladder.Rate(11, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SparsityAcceleration(ladder, ReestimateEvery: 0).Validate());
    }

    private sealed class Tolerance(double epsilon) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= epsilon;
        public int GetHashCode(double obj) => 0;
    }
}
