using static SparseDsl.Generators.Tests.Fuzz.RandomValues;

namespace SparseDsl.Generators.Tests.Fuzz;

/// <summary>
/// [SparsityAccelerated] (SatParser): on a block MLP whose up projections write a hidden dimension that its down
/// projection reads, with values in range. Wrong values, a block of another shape, or the attribute on a model are
/// SDSL013 on the class.
/// </summary>
internal static class RandomSat
{
    private static readonly string[] Hiddens = ["4*width", "4*width", "2*width", "width/2", "256"];

    // The runtime attribute's own defaults: an unset fraction counts in the HoldFraction + DenseFraction ≤ 1 check.
    private static readonly SparsityAcceleratedAttribute Defaults = new();

    /// <summary>Fills <paramref name="block"/> with an MLP, sometimes of a shape SAT cannot slice, and marks it.</summary>
    public static void Mlp(ClassDraft block, Random r)
    {
        var sat = new DrawnAttribute(FuzzKind.Sat, "SparsityAccelerated", "");
        string hidden = r.Pick(Hiddens);
        bool explicitHidden = Values(sat, r, hidden);
        Shape(block, r, sat, hidden, explicitHidden);
        block.AddAttribute(sat.ToString());
        block.Uses(FuzzKind.Sat);
        foreach (var (kind, id) in sat.Problems) block.Mistake(kind, block.Name, id);
    }

    /// <summary>[SparsityAccelerated] on a [Width] model: it belongs on a block.</summary>
    public static void OnModel(ClassDraft model)
    {
        model.AddAttribute("SparsityAccelerated");
        model.Uses(FuzzKind.Sat);
        model.Mistake(FuzzKind.Sat, model.Name, "SDSL013");
    }

    // The ladder's values; returns whether Hidden is set to the MLP's hidden dimension.
    private static bool Values(DrawnAttribute sat, Random r, string hidden)
    {
        int rate = r.Next(24);
        if (rate == 0) sat.AddWrong($"OmissionRate = {r.Pick(["1", "1.5", "-0.1", "double.NaN"])}", "SDSL013");
        else if (rate > 10) sat.Add($"OmissionRate = {Text(Math.Round(r.NextDouble() * 0.95, 2))}");
        r.Int(sat, "Rungs", valid: [1, 2, 3, 5], invalid: [0, -2], invalidOneIn: 25, id: "SDSL013");
        r.Int(sat, "ReestimateEvery", valid: [1, 2, 10], invalid: [0, -1], invalidOneIn: 25, id: "SDSL013");
        double hold = Fraction(sat, r, "HoldFraction", Defaults.HoldFraction, valid: [0.25, 0.5, 0.8, 1.0], invalid: ["0", "1.5", "-0.5"]);
        double dense = Fraction(sat, r, "DenseFraction", Defaults.DenseFraction, valid: [0, 0.1, 0.2, 0.4], invalid: ["1", "1.2", "-0.1"]);
        if (hold + dense > 1 + 1e-12) sat.Wrong("SDSL013");
        if (r.OneIn(30)) sat.AddWrong($"Metric = (NeuronImportance){r.Pick(["9", "(-1)"])}", "SDSL013");
        else if (r.OneIn(3)) sat.Add($"Metric = NeuronImportance.{r.Pick(["Uniform", "WeightMagnitude", "Wanda", "ActivationMagnitude"])}");
        if (r.OneIn(30)) sat.AddWrong("Selection = (NeuronSelection)4", "SDSL013");
        else if (r.OneIn(3)) sat.Add($"Selection = NeuronSelection.{r.Pick(["TopK", "Sample"])}");
        int pick = r.Next(20);
        if (pick == 0) sat.AddWrong($"Hidden = \"{r.Pick(["widht", "", "8*width"])}\"", "SDSL013"); // does not parse, or no projection writes it
        else if (pick > 12) { sat.Add($"Hidden = \"{hidden}\""); return true; }
        return false;
    }

    // A fraction left to its default (returned as such), drawn from valid, or now and then from invalid.
    private static double Fraction(DrawnAttribute sat, Random r, string name, double fallback, double[] valid, string[] invalid)
    {
        if (r.OneIn(30))
        {
            sat.AddWrong($"{name} = {r.Pick(invalid)}", "SDSL013");
            return fallback;
        }
        if (r.OneIn(2)) return fallback;
        double value = r.Pick(valid);
        sat.Add($"{name} = {Text(value)}");
        return value;
    }

    // The MLP: up (and gate) write the hidden dimension, down reads it; or one of the shapes SatParser refuses.
    private static void Shape(ClassDraft block, Random r, DrawnAttribute sat, string hidden, bool explicitHidden)
    {
        string other = hidden == "2*width" ? "4*width" : "2*width";
        switch (r.Next(30))
        {
            case 0: // no projection at all
                Norm(block, r, "width");
                sat.Wrong("SDSL013");
                return;
            case 1: // projections that keep the width
                Projection(block, r, "Up", "width", "width");
                Projection(block, r, "Down", "width", "width");
                sat.Wrong("SDSL013");
                return;
            case 2: // a projection both reads and writes the hidden dimension
                Projection(block, r, "Mix", hidden, hidden);
                sat.Wrong("SDSL013");
                break;
            case 3: // a norm on the hidden dimension: only projections can drop neurons
                Norm(block, r, hidden);
                sat.Wrong("SDSL013");
                break;
            case 4: // expanding projections that read different inputs
                Projection(block, r, "Gate", "64", hidden);
                sat.Wrong("SDSL013");
                break;
            case 5: // a second hidden dimension: ambiguous unless Hidden names one
                Projection(block, r, "Up2", "width", other);
                Projection(block, r, "Down2", other, "width");
                if (!explicitHidden) sat.Wrong("SDSL013");
                break;
            default:
                if (r.OneIn(2)) Projection(block, r, "Gate", "width", hidden);
                if (r.OneIn(3)) Norm(block, r, "width");
                break;
        }
        Projection(block, r, "Up", "width", hidden);
        Projection(block, r, "Down", hidden, "width");
    }

    private static void Projection(ClassDraft block, Random r, string name, string input, string output)
    {
        var a = r.OneIn(2) ? new DrawnAttribute(FuzzKind.Linear, "Linear", "ScaledLinear") : new DrawnAttribute(FuzzKind.SparseLinear, "SparseLinear", "ScaledLinear");
        if (a.Kind == FuzzKind.SparseLinear) a.Add($"Sparsity = {Text(Math.Round(r.NextDouble() * 0.9, 2))}");
        if (input != "width" || r.OneIn(3)) a.Add($"In = \"{input}\"");
        if (output != "width" || r.OneIn(3)) a.Add($"Out = \"{output}\"");
        if (r.OneIn(4)) a.Add("Bias = true");
        block.AddMember($"[{a}] public partial ScaledLinear {name} {{ get; }}");
        block.Uses(a.Kind);
    }

    private static void Norm(ClassDraft block, Random r, string dim)
    {
        block.AddMember($"[Norm({(dim != "width" || r.OneIn(2) ? $"Dim = \"{dim}\"" : "Kind = NormKind.RmsNorm")})] public partial ScaledNorm Norm {{ get; }}");
        block.Uses(FuzzKind.Norm);
    }
}
