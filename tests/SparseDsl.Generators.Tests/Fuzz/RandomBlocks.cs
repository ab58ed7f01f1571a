namespace SparseDsl.Generators.Tests.Fuzz;

/// <summary>A separate [Block] class: random layers, or an MLP with [SparsityAccelerated] (<see cref="RandomSat"/>).</summary>
internal static class RandomBlocks
{
    public static ClassDraft Draw(Random r, string name)
    {
        var block = new ClassDraft(name, "Block", r);
        block.Uses(FuzzKind.Block);
        if (r.OneIn(30))
        {
            block.Shape = ClassShape.NotPartial;
            block.Mistake(FuzzKind.Block, name, "SDSL001");
        }
        if (r.OneIn(2))
            RandomSat.Mlp(block, r);
        else
            for (int l = 0, layers = r.Next(0, 4); l < layers; l++)
                RandomMembers.Layer(block, r, "B" + l, RandomLayers.Any(r));
        return block;
    }
}
