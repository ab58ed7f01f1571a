using static SparseDsl.Generators.Tests.Fuzz.RandomValues;

namespace SparseDsl.Generators.Tests.Fuzz;

/// <summary>The [Width] model: its base width and shape, random layers, a tie, and the block placed in it.</summary>
internal static class RandomModels
{
    public static ClassDraft Draw(Random r, string name, string? block)
    {
        int baseWidth = r.OneIn(15) ? -r.Next(0, 5) : 16 * r.Next(1, 32);
        var model = new ClassDraft(name, $"Width(Base = {Text(baseWidth)})", r);
        if (baseWidth <= 0) model.Mistake(FuzzKind.Class, name, "SDSL006");
        Shape(model, r);
        for (int l = 0, layers = r.Next(0, 5); l < layers; l++)
            RandomMembers.Layer(model, r, "L" + l, RandomLayers.Any(r));
        if (r.Next(10) < 3) RandomTies.Add(model, r);
        if (block is not null) RandomChildren.Place(model, r, block);
        if (r.OneIn(40)) RandomSat.OnModel(model);
        if (r.OneIn(5)) model.AddMember("private int Helper() => 42;");
        return model;
    }

    // Not partial (SDSL001), generic or also a [Block] (SDSL008): the class itself cannot be a model.
    private static void Shape(ClassDraft model, Random r)
    {
        switch (r.Next(45))
        {
            case 0:
                model.Shape = ClassShape.NotPartial;
                model.Mistake(FuzzKind.Class, model.Name, "SDSL001");
                break;
            case 1:
                model.Shape = ClassShape.Generic;
                model.Mistake(FuzzKind.Class, model.Name, "SDSL008");
                break;
            case 2:
                model.Shape = ClassShape.WidthAndBlock;
                model.AddAttribute("Block");
                model.Mistake(FuzzKind.Class, model.Name, "SDSL008");
                break;
        }
    }
}
