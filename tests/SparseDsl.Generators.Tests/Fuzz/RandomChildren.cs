using static SparseDsl.Generators.Tests.Fuzz.RandomValues;

namespace SparseDsl.Generators.Tests.Fuzz;

/// <summary>
/// Places a [Block] class in a model: once as <c>[Block] Child</c>, and as a <c>[Repeat(Depth = n)]</c> stack in a
/// ModuleList; a depth below 1 is SDSL012, a member that is not of the block's type SDSL010.
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
    }
}
