using static SparseDsl.Generators.Tests.Fuzz.RandomValues;

namespace SparseDsl.Generators.Tests.Fuzz;

/// <summary>
/// Places a [Block] class in a model: once as <c>[Block] Child</c>, as a <c>[Repeat(Depth = n)]</c> stack in a
/// ModuleList, and as an <c>[Experts]</c> bank; a depth below 1 or a bad expert count, top-k or loss coefficient is
/// SDSL012, a member that is not of the block's type SDSL010, a second router beside the bank SDSL015.
/// </summary>
internal static class RandomChildren
{
    public static void Place(ClassDraft model, Random r, string block)
    {
        if (r.Next(10) < 7)
            RandomMembers.Child(model, r, "Child", new DrawnAttribute(FuzzKind.Block, "Block", block), r.Pick(["ScaledLinear", "ScaledNorm"]));
        if (r.Next(10) < 7)
        {
            var repeat = new DrawnAttribute(FuzzKind.Repeat, "Repeat", $"TorchSharp.Modules.ModuleList<{block}>");
            r.Int(repeat, "Depth", valid: [1, 2, 3, 6], invalid: [0, -1, -4], invalidOneIn: 10);
            RandomMembers.Child(model, r, "Stack", repeat, r.Pick([block, "TorchSharp.Modules.ModuleList<ScaledNorm>"]));
        }
        if (r.OneIn(2)) Experts(model, r, block);
    }

    // Counts above every finite size the other drawers write (readouts go up to 499), so that no drawn layer is a second
    // router by chance: only the one added on purpose is.
    private static void Experts(ClassDraft model, Random r, string block)
    {
        var bank = new DrawnAttribute(FuzzKind.Experts, "Experts", $"ExpertBank<{block}>");
        int count = r.OneIn(25) ? r.Pick([1, 0, -3]) : r.Pick([512, 600, 1000]);
        if (count < 2)
        {
            if (count == 0 && r.OneIn(2)) bank.Wrong("SDSL012"); // Count left unset
            else bank.AddWrong($"Count = {Text(count)}", "SDSL012");
        }
        else bank.Add($"Count = {Text(count)}");
        if (r.OneIn(25)) bank.AddWrong($"TopK = {Text(r.Pick([0, -1, Math.Max(count, 2) + 1]))}", "SDSL012");
        else if (!r.OneIn(3)) bank.Add($"TopK = {Text(r.Pick([1, 2, 4, 8]))}");
        string input = "width";
        if (r.OneIn(30)) bank.AddWrong("In = \"widht\"", "SDSL004");
        else if (r.OneIn(4)) bank.Add($"In = \"{input = r.Pick(["width", "2*width", "width/2"])}\"");
        foreach (string coefficient in new[] { "BalanceLoss", "ZLoss" })
        {
            if (r.OneIn(40)) bank.AddWrong($"{coefficient} = {r.Pick(["-0.01", "double.NaN", "double.PositiveInfinity"])}", "SDSL012");
            else if (r.OneIn(3)) bank.Add($"{coefficient} = {r.Pick(["0", "0.01", "0.001", "1"])}");
        }
        RandomMembers.Child(model, r, "Bank", bank, r.Pick(["ScaledLinear", $"TorchSharp.Modules.ModuleList<{block}>"]));
        // A second router reads what the bank's router reads and writes its number of experts: SDSL015, once the bank has parsed.
        if (bank.IsValid && !model.Mistakes.Any(m => m.Culprit == "Bank") && r.OneIn(12))
        {
            model.AddMember($"[Linear(In = \"{input}\", Out = \"{Text(count)}\")] public partial ScaledLinear Router {{ get; }}");
            model.Uses(FuzzKind.Linear);
            model.Mistake(FuzzKind.Experts, "Router", "SDSL015");
        }
    }
}
