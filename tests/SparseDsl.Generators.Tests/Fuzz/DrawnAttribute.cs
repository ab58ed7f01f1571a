namespace SparseDsl.Generators.Tests.Fuzz;

/// <summary>
/// One attribute as it is drawn: its named arguments in order, and the diagnostic each wrong one must raise. The caller
/// turns the problems into <see cref="Mistake"/>s once it knows which member the attribute lands on.
/// </summary>
internal sealed class DrawnAttribute(string kind, string name, string type)
{
    private readonly List<string> arguments = [];

    /// <summary>The <see cref="FuzzKind"/> it is tallied under.</summary>
    public string Kind { get; } = kind;

    /// <summary>The property type it belongs on (<c>ScaledNorm</c>).</summary>
    public string Type { get; } = type;

    /// <summary>What is wrong with its values: the kind each problem is tallied under, and the diagnostic ID.</summary>
    public List<(string Kind, string Id)> Problems { get; } = [];

    public bool IsValid => Problems.Count == 0;

    public void Add(string argument) => arguments.Add(argument);

    /// <summary>An argument that must raise <paramref name="id"/>, tallied under <paramref name="kind"/> (by default the attribute's).</summary>
    public void AddWrong(string argument, string id, string? kind = null) { arguments.Add(argument); Problems.Add((kind ?? Kind, id)); }

    /// <summary>A problem that comes from a combination of arguments rather than one.</summary>
    public void Wrong(string id, string? kind = null) => Problems.Add((kind ?? Kind, id));

    public override string ToString() => arguments.Count == 0 ? name : $"{name}({string.Join(", ", arguments)})";
}
