using System.Globalization;

namespace SparseDsl.Generators.KindChecks;

/// <summary>
/// <c>[Experts]</c>: a mixture-of-experts bank on an <c>ExpertBank&lt;TBlock&gt;</c> property. Its layer is the router
/// (In → Count); the bank as a whole maps In to In, which is what the analyzers and chained calls see.
/// </summary>
internal sealed class ExpertsKind : KindDescription
{
    public override string AttributeName => "SparseDsl.ExpertsAttribute";

    public override string? Container => "SparseDsl.ExpertBank<TBlock>";

    public override KindShape Read(KindArguments arguments)
    {
        int count = arguments.AtLeast("Count", 0, 2, "a mixture needs at least 2 experts");
        int topK = arguments.Int("TopK", SparseDsl.AttributeDefaults.ExpertsTopK);
        if (topK < 1 || (count >= 2 && topK > count))
            arguments.OutOfRange("TopK = " + topK.ToString(CultureInfo.InvariantCulture), $"each token goes to between 1 and Count = {count.ToString(CultureInfo.InvariantCulture)} experts");
        Coefficient(arguments, "BalanceLoss", SparseDsl.AttributeDefaults.BalanceLoss);
        Coefficient(arguments, "ZLoss", 0.0);
        var input = arguments.Dimension("In", SparseDsl.AttributeDefaults.Dimension);
        return new(input, input) { Chains = true, Experts = count };
    }

    private static void Coefficient(KindArguments arguments, string name, double fallback)
    {
        double value = arguments.Double(name, fallback);
        if (!(value >= 0) || double.IsInfinity(value))
            arguments.OutOfRange($"{name} = {value.ToString("R", CultureInfo.InvariantCulture)}", "the coefficient must be finite and non-negative (0 turns the loss off)");
    }
}
