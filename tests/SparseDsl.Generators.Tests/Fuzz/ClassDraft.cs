using System.Text;

namespace SparseDsl.Generators.Tests.Fuzz;

/// <summary>One class of a random declaration as it is drawn: its attributes, members, mistakes and the kinds it uses.</summary>
internal sealed class ClassDraft(string name, string attribute, Random random)
{
    private readonly List<string> attributes = [attribute];
    private readonly List<string> members = [];
    private readonly HashSet<string> claimed = [];

    public string Name { get; } = name;

    public bool IsBlock => attribute == "Block";

    public ClassShape Shape { get; set; } = ClassShape.Partial;

    public List<Mistake> Mistakes { get; } = [];

    public HashSet<string> Kinds { get; } = [];

    /// <summary>Why the class does not compile on purpose (a field with a property-only attribute), or null.</summary>
    public string? CSharpError { get; private set; }

    public void BreaksCSharp(string why) => CSharpError ??= why;

    /// <summary>The <see cref="KnownBugs"/> entry this class's generated model does not compile for, or null.</summary>
    public string? KnownBug { get; set; }

    public void AddAttribute(string text) => attributes.Add(text);

    /// <summary>Adds a member at a random place: the generator must not depend on declaration order.</summary>
    public void AddMember(string text) => members.Insert(random.Next(members.Count + 1), text);

    /// <summary>Takes a member name that is not from the usual numbered series; false when the class already has it.</summary>
    public bool Claim(string memberName) => claimed.Add(memberName);

    public void Uses(string kind) => Kinds.Add(kind);

    public void Mistake(string kind, string culprit, string id) => Mistakes.Add(new(Name, kind, culprit, id));

    public FuzzClass Class => new(Name, Shape, CSharpError, KnownBug);

    public void Write(StringBuilder text)
    {
        foreach (string a in attributes) text.Append('[').Append(a).Append("]\n");
        string partial = Shape == ClassShape.NotPartial ? "" : "partial ";
        string typeParameters = Shape == ClassShape.Generic ? "<T>" : "";
        text.Append($"public {partial}class {Name}{typeParameters}\n{{\n");
        foreach (string m in members) text.Append("    ").Append(m).Append('\n');
        text.Append("    public override Tensor forward(Tensor x) => x;\n}\n");
    }
}
