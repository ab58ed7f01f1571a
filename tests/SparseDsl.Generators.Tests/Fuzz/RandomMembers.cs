namespace SparseDsl.Generators.Tests.Fuzz;

/// <summary>
/// Puts a drawn attribute on a property: usually a partial get-only property of the right type, sometimes one the
/// generator cannot implement (SDSL002), of the wrong type (SDSL003, or SDSL010 for blocks), or with a second DSL
/// attribute (SDSL009). Those member mistakes stop the generator before it reads the attribute's values, so the
/// values' own problems are not expected then.
/// </summary>
internal static class RandomMembers
{
    private static readonly string[] LayerTypes = ["ScaledEmbedding", "ScaledLinear", "ScaledNorm", "ScaledAttention", "ScaledConv", "ScaledTensor"];

    // Names that clash with what the generator writes: a keyword or a lower-case name is its own state-dict name (the
    // field holding the layer), and Plan, Declaration, BaseWidth and Recipe are generated members (SDSL014). Seed and
    // Device are names of constructor parameters, which the generated code never confuses with the fields. A block has
    // no BaseWidth, Recipe or Seed of its own.
    private static readonly (string Name, bool Clashes, bool ModelOnly)[] TrickyNames =
    [
        ("@class", true, false), ("@event", true, false), ("Plan", true, false), ("Declaration", true, false),
        ("BaseWidth", true, true), ("Recipe", true, true), ("Seed", false, true), ("Device", false, false),
    ];

    /// <summary>A layer kind's attribute on a property named <paramref name="name"/> (now and then a tricky name).</summary>
    public static void Layer(ClassDraft c, Random r, string name, DrawnAttribute attribute)
    {
        var (chosen, clashes) = LayerName(c, r, name);
        Place(c, r, chosen, attribute, r.Pick(LayerTypes.Where(t => t != attribute.Type).ToList()), "SDSL003", FuzzKind.Member, clashes);
    }

    private static (string Name, bool Clashes) LayerName(ClassDraft c, Random r, string name)
    {
        if (!r.OneIn(60)) return (name, false);
        var names = TrickyNames.Where(t => !(t.ModelOnly && c.IsBlock)).Select(t => (t.Name, t.Clashes)).Append((name.ToLowerInvariant(), true)).ToList();
        var (tricky, clashes) = r.Pick(names);
        if (!c.Claim(tricky)) return (name, false);
        // The one clash the shell cannot absorb: the block's property hides the static Declaration its model reads.
        if (tricky == "Declaration" && c.IsBlock)
            c.BreaksCSharp("a block property named Declaration hides the static Declaration its model reads (CS0120 beside SDSL014)");
        return (tricky, clashes);
    }

    /// <summary>
    /// A [Block] or [Repeat] member: its wrong type is <paramref name="wrongType"/> (SDSL010), and its member mistakes are
    /// tallied under its own kind, since its type is most of what can be wrong with it.
    /// </summary>
    public static void Child(ClassDraft c, Random r, string name, DrawnAttribute attribute, string wrongType) =>
        Place(c, r, name, attribute, wrongType, "SDSL010", attribute.Kind);

    private static void Place(ClassDraft c, Random r, string name, DrawnAttribute attribute, string wrongType, string wrongTypeId, string memberKind, bool nameClashes = false)
    {
        c.Uses(attribute.Kind);
        string attributes = attribute.ToString();
        var memberMistakes = new List<string>();
        if (r.OneIn(80))
        {
            // Not the same attribute twice: that is the compiler's CS0579, not a SparseDsl mistake.
            attributes += attribute.Kind == FuzzKind.Norm ? ", Linear" : ", Norm";
            memberMistakes.Add("SDSL009");
        }
        var (member, shapeMistake) = Member(c, r, attribute.Type, name, wrongType, wrongTypeId);
        if (shapeMistake is not null) memberMistakes.Add(shapeMistake);
        c.AddMember($"[{attributes}] {member}");
        string culprit = name.TrimStart('@'); // as diagnostics name it
        if (memberMistakes.Count > 0)
            foreach (string id in memberMistakes) c.Mistake(memberKind, culprit, id);
        else if (attribute.Problems.Count > 0)
            foreach (var (kind, id) in attribute.Problems) c.Mistake(kind, culprit, id);
        else if (nameClashes)
            c.Mistake(FuzzKind.Member, culprit, "SDSL014"); // checked once the layer has parsed

    }

    // Only partial, get-only, instance properties of the attribute's type are layers. A field is a mistake the
    // compiler reports too (CS0592: the attributes are for properties only), so its case is not expected to compile.
    private static (string Text, string? Mistake) Member(ClassDraft c, Random r, string type, string name, string wrongType, string wrongTypeId)
    {
        switch (r.Next(90))
        {
            case 0: return ($"public {type} {name} {{ get; set; }} = null!;", "SDSL002");
            case 1: return ($"public {type} {name} => null!;", "SDSL002");
            case 2: return ($"public static partial {type} {name} {{ get; }}", "SDSL002");
            case 3: return ($"public partial {type} {name} {{ get; set; }}", "SDSL002");
            case 4:
                c.BreaksCSharp("an attribute for properties on a field (CS0592)");
                return ($"public {type} {name} = null!;", "SDSL002");
            case 5 or 6: return ($"public partial {wrongType} {name} {{ get; }}", wrongTypeId);
            case 7 or 8: return ($"internal partial {type} {name} {{ get; }}", null);
            default: return ($"public partial {type} {name} {{ get; }}", null);
        }
    }
}
