namespace SparseDsl;

/// <summary>One DSL member of a model or block, in declaration order: a layer or a child block.</summary>
/// <param name="Name">State-dict name (the property name in snake_case).</param>
public abstract record MemberDeclaration(string Name);

/// <summary>A declared model or block: its type name and its members in declaration order. Generated code emits one per class.</summary>
/// <param name="TypeName">The declaring class's name (for messages).</param>
/// <param name="Members">Layers and child blocks, in declaration order.</param>
public sealed record BlockDeclaration(string TypeName, IReadOnlyList<MemberDeclaration> Members)
{
    /// <summary>A model's default size of <c>"vocab"</c>, from <see cref="WidthAttribute.Vocab"/>; null when it declares none (and for blocks).</summary>
    public int? Vocabulary { get; init; }
}

/// <summary>
/// A child block (<see cref="BlockAttribute"/> on a property) or a stack of them (<see cref="RepeatAttribute"/>).
/// </summary>
/// <param name="Name">State-dict prefix of the child.</param>
/// <param name="Block">The child's declaration; a function so that generated static declarations never depend on
/// type-initialisation order.</param>
/// <param name="Depth">Number of copies for a <see cref="RepeatAttribute"/> stack; null for a single child.</param>
public sealed record ChildDeclaration(string Name, Func<BlockDeclaration> Block, int? Depth) : MemberDeclaration(Name);
