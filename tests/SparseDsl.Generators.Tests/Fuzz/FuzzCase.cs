namespace SparseDsl.Generators.Tests.Fuzz;

/// <summary>One random declaration: its source, its classes, and every mistake put in it on purpose.</summary>
/// <param name="Kinds">Every kind the declaration uses (<see cref="FuzzKind"/>), for the tally of valid cases.</param>
/// <param name="SyntaxBroken">The text was cut short: the compiler reports it, and nothing else is promised.</param>
internal sealed record FuzzCase(string Source, IReadOnlyList<FuzzClass> Classes, IReadOnlyList<Mistake> Mistakes, IReadOnlySet<string> Kinds, bool SyntaxBroken)
{
    public bool Valid => Mistakes.Count == 0 && !SyntaxBroken;

    /// <summary>
    /// Whether user code plus generated code must compile: the generator can emit something for every class (a model or
    /// an error shell: no class is non-partial or generic), the syntax is whole, and no class breaks C# on purpose.
    /// </summary>
    public bool MustCompile => !SyntaxBroken && Classes.All(c => c.Shape.GetsShell() && c.CSharpError is null);

    public bool IsValid(FuzzClass c) => !Mistakes.Any(m => m.Class == c.Name);

    /// <summary>Whether it draws on a <see cref="KnownBugs"/> entry.</summary>
    public bool HasKnownBug => Mistakes.Any(m => m.Kind == FuzzKind.KnownBug) || Classes.Any(c => c.KnownBug is not null);
}

/// <summary>A class of a random declaration, by name and by how it is declared.</summary>
/// <param name="CSharpError">Why the class does not compile on purpose, whatever the generator does; null when it should.</param>
/// <param name="KnownBug">The <see cref="KnownBugs"/> entry its generated model does not compile for, or null.</param>
internal sealed record FuzzClass(string Name, ClassShape Shape, string? CSharpError, string? KnownBug)
{
    public string HintName => $"Fuzz.{Name}.g.cs";
}

/// <summary>How a class is declared; all but <see cref="Partial"/> are mistakes.</summary>
internal enum ClassShape
{
    Partial,

    /// <summary>SDSL001; the generator can add nothing to it, not even a shell.</summary>
    NotPartial,

    /// <summary>SDSL008; nothing generated.</summary>
    Generic,

    /// <summary>Both [Width] and [Block]: SDSL008, and a shell.</summary>
    WidthAndBlock,
}

internal static class ClassShapes
{
    public static bool GetsShell(this ClassShape shape) => shape is ClassShape.Partial or ClassShape.WidthAndBlock;
}

/// <summary>
/// A mistake put in a declaration on purpose, and the diagnostic that must name it: <paramref name="Id"/> with
/// <paramref name="Culprit"/> quoted in its message (<c>on 'L3'</c>, <c>'Head' is tied</c>, <c>on 'Blk7'</c>).
/// </summary>
/// <param name="Class">The class it is in: that class gets a shell, not a model.</param>
/// <param name="Kind">What it misuses, for the tally (<see cref="FuzzKind"/>).</param>
internal sealed record Mistake(string Class, string Kind, string Culprit, string Id);

/// <summary>What a random declaration can use, each tallied in valid and in invalid cases.</summary>
internal static class FuzzKind
{
    public const string Embedding = nameof(Embedding);
    public const string Linear = nameof(Linear);
    public const string SparseLinear = nameof(SparseLinear);
    public const string Readout = nameof(Readout);
    public const string Norm = nameof(Norm);
    public const string Attention = nameof(Attention);
    public const string Conv = nameof(Conv);
    public const string Parameter = nameof(Parameter);
    public const string Tie = nameof(Tie);
    public const string Block = nameof(Block);
    public const string Repeat = nameof(Repeat);
    public const string Sat = nameof(Sat);
    public const string Experts = nameof(Experts);

    /// <summary>Not tallied: a layer on a member of the wrong shape or type, or with two attributes (its values go unread).</summary>
    public const string Member = nameof(Member);

    /// <summary>Not tallied: a class that is not partial, is generic, has both [Width] and [Block], or a base width below 1.</summary>
    public const string Class = nameof(Class);

    /// <summary>Not tallied: what the generator refuses today though it should not (<see cref="KnownBugs"/>).</summary>
    public const string KnownBug = nameof(KnownBug);

    /// <summary>The kinds every run must cover, valid and invalid.</summary>
    public static readonly string[] Tallied = [Embedding, Linear, SparseLinear, Readout, Norm, Attention, Conv, Parameter, Tie, Block, Repeat, Sat, Experts];
}
