using System.Globalization;

namespace SparseDsl.Experiments.Sweep;

/// <summary>
/// The outcome of one run: its cell, final training loss (mean of the last 10% of steps), final validation loss, and
/// whether it diverged (then both losses are NaN and the run counts as worse than any finite one).
/// </summary>
public sealed record SweepRecord(SweepRun Run, long Steps, double TrainLoss, double ValidationLoss, bool Diverged, double Seconds)
{
    /// <summary>The CSV header; a file with another header is refused rather than mixed.</summary>
    public const string Header = "parameterization,sparsity,density,width,log2_lr,lr,seed,steps,train_loss,validation_loss,diverged,seconds";

    /// <summary>The header of a sweep with a depth axis: <see cref="Header"/> and two more columns.</summary>
    public const string DepthHeader = Header + ",depth,depth_rule";

    /// <summary>The header of a results file with (<paramref name="depth"/>) or without depth columns.</summary>
    public static string HeaderFor(bool depth) => depth ? DepthHeader : Header;

    /// <summary>The loss the sweep ranks runs by: validation loss, +∞ when diverged.</summary>
    public double RankingLoss => Diverged || !double.IsFinite(ValidationLoss) ? double.PositiveInfinity : ValidationLoss;

    /// <summary>One CSV row, with the depth columns when <paramref name="depth"/>.</summary>
    public string ToCsv(bool depth = false) => string.Join(',',
        Run.Parameterization.Token(), F(Run.Sparsity), F(1 - Run.Sparsity), I(Run.Width), I(Run.Log2LearningRate),
        F(Run.LearningRate), I(Run.Seed), I(Steps), F(TrainLoss), F(ValidationLoss), Diverged ? "true" : "false", Seconds.ToString("0.0", CultureInfo.InvariantCulture))
        + (depth ? $",{I(Run.Depth)},{Run.DepthRule.Token()}" : "");

    /// <summary>Parses one CSV row; a malformed row is an <see cref="InvalidDataException"/> naming its line.</summary>
    public static SweepRecord Parse(string line, string source, int lineNumber)
    {
        string[] f = line.Split(',');
        try
        {
            if (f.Length is not (12 or 14)) throw new FormatException($"expected 12 fields (14 with depth), found {f.Length}");
            var run = new SweepRun(ParameterizationNames.Parse(f[0]), D(f[1]), int.Parse(f[3], CultureInfo.InvariantCulture),
                int.Parse(f[4], CultureInfo.InvariantCulture), int.Parse(f[6], CultureInfo.InvariantCulture));
            if (f.Length == 14) run = run with { Depth = int.Parse(f[12], CultureInfo.InvariantCulture), DepthRule = DepthRuleNames.Parse(f[13]) };
            return new SweepRecord(run, long.Parse(f[7], CultureInfo.InvariantCulture), D(f[8]), D(f[9]), bool.Parse(f[10]), D(f[11]));
        }
        catch (Exception e) when (e is FormatException or OverflowException or InvalidDataException)
        {
            throw new InvalidDataException($"{source}, line {lineNumber}: {e.Message}");
        }
    }

    private static string F(double value) => value.ToString("R", CultureInfo.InvariantCulture);
    private static string I(long value) => value.ToString(CultureInfo.InvariantCulture);
    private static double D(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
}
