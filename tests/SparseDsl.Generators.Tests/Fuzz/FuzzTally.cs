using System.Text;

namespace SparseDsl.Generators.Tests.Fuzz;

/// <summary>
/// How many cases were valid and invalid, overall and per kind, so that a change to the drawers cannot quietly stop
/// covering a kind. A kind counts as valid in a valid case that uses it, as invalid in a case with a mistake of that kind.
/// </summary>
internal sealed class FuzzTally
{
    private readonly Dictionary<string, (int Valid, int Invalid)> kinds = FuzzKind.Tallied.ToDictionary(k => k, _ => (0, 0));

    public int Valid { get; private set; }

    public int Invalid { get; private set; }

    /// <summary>Cases whose user plus generated code was checked to compile (valid ones and those with error shells).</summary>
    public int Compiled { get; private set; }

    /// <summary>Cases that draw on a <see cref="KnownBugs"/> entry.</summary>
    public int KnownBugs { get; private set; }

    public void Add(FuzzCase c)
    {
        if (c.Valid) Valid++;
        else Invalid++;
        if (c.MustCompile && !c.Classes.Any(k => k.KnownBug is not null)) Compiled++;
        if (c.HasKnownBug) KnownBugs++;
        foreach (string kind in FuzzKind.Tallied)
        {
            var (valid, invalid) = kinds[kind];
            kinds[kind] = (valid + (c.Valid && c.Kinds.Contains(kind) ? 1 : 0), invalid + (c.Mistakes.Any(m => m.Kind == kind) ? 1 : 0));
        }
    }

    public void AssertCovers(int cases, int perKind)
    {
        Assert.True(Valid > cases && Invalid > cases, $"the drawers are unbalanced: {Valid} valid, {Invalid} invalid\n{this}");
        var thin = kinds.Where(k => k.Value.Valid < perKind || k.Value.Invalid < perKind).Select(k => k.Key).ToList();
        Assert.True(thin.Count == 0, $"fewer than {perKind} valid or invalid cases of {string.Join(", ", thin)}\n{this}");
    }

    public override string ToString()
    {
        var text = new StringBuilder($"{Valid} valid, {Invalid} invalid, {Compiled} compiled, {KnownBugs} on known generator bugs\n");
        foreach (var (kind, (valid, invalid)) in kinds) text.Append($"  {kind,-13} {valid,5} valid {invalid,5} invalid\n");
        return text.ToString();
    }
}
