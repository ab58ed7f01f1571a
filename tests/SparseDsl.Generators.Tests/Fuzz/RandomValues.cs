using System.Globalization;

namespace SparseDsl.Generators.Tests.Fuzz;

/// <summary>The values random declarations are drawn from: dimension expressions, numbers, enum members.</summary>
internal static class RandomValues
{
    public static readonly string[] ValidDims = ["width", "2*width", "width/2", "4*width", "64", "10"];
    public static readonly string[] ScalingDims = ["width", "2*width", "width/2", "4*width"];
    public static readonly string[] FiniteDims = ["1", "3", "10", "64"];
    private static readonly string[] InvalidDims = ["", "widht", "width*width", "4/width", "width+1", "0*width", "7/2", "2*vocab", "vocb", "*", "99999999999"];

    public static T Pick<T>(this Random r, IReadOnlyList<T> items) => items[r.Next(items.Count)];

    /// <summary>True once in <paramref name="n"/> draws.</summary>
    public static bool OneIn(this Random r, int n) => r.Next(n) == 0;

    /// <summary>A dimension argument: often left to its default (<c>"width"</c>), sometimes one that does not parse (SDSL004).</summary>
    public static void Dimension(this Random r, DrawnAttribute a, string name, int invalidOneIn = 12)
    {
        if (r.OneIn(invalidOneIn)) a.AddWrong($"{name} = \"{r.Pick(InvalidDims)}\"", "SDSL004");
        else if (r.Next(5) < 3) a.Add($"{name} = \"{r.Pick(ValidDims)}\"");
    }

    /// <summary>
    /// An int option: left to its default or drawn from <paramref name="valid"/>, or once in <paramref name="invalidOneIn"/>
    /// from <paramref name="invalid"/> (<paramref name="id"/>).
    /// </summary>
    public static int? Int(this Random r, DrawnAttribute a, string name, int[] valid, int[] invalid, int invalidOneIn = 14, string id = "SDSL012")
    {
        if (r.OneIn(invalidOneIn))
        {
            int value = r.Pick(invalid);
            a.AddWrong($"{name} = {Text(value)}", id);
            return value;
        }
        if (r.OneIn(3)) return null;
        int chosen = r.Pick(valid);
        a.Add($"{name} = {Text(chosen)}");
        return chosen;
    }

    /// <summary>A sparsity in [0, 1), or once in <paramref name="invalidOneIn"/> one outside it (SDSL005).</summary>
    public static void Sparsity(this Random r, DrawnAttribute a, int invalidOneIn = 10)
    {
        if (r.OneIn(invalidOneIn)) a.AddWrong($"Sparsity = {r.Pick(["1", "1.5", "-0.25", "double.NaN", "double.PositiveInfinity", Text(1 + r.NextDouble()), Text(-0.001 - r.NextDouble())])}", "SDSL005");
        else if (!r.OneIn(4)) a.Add($"Sparsity = {Text(Math.Round(r.NextDouble() * 0.95, 3))}");
    }

    /// <summary>A bool flag written out (either value) or left to its default (false); returns its value.</summary>
    public static bool Flag(this Random r, DrawnAttribute a, string name, int setOneIn = 3)
    {
        if (!r.OneIn(setOneIn)) return false;
        bool value = r.OneIn(2);
        a.Add($"{name} = {(value ? "true" : "false")}");
        return value;
    }

    public static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
