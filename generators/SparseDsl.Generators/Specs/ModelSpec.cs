namespace SparseDsl.Generators.Specs;

/// <summary>Everything the emitter needs for one declared model or block: strings, numbers and equatable arrays only.</summary>
/// <param name="IsBlock">A [Block] class (built from its model's plan) rather than a [Width] model.</param>
/// <param name="Sat">For a [SparsityAccelerated] block: its SAT settings and projections.</param>
internal sealed record ModelSpec(
    string? Namespace,
    string ClassName,
    string HintName,
    int BaseWidth,
    EquatableArray<LayerSpec> Layers,
    bool IsBlock = false,
    SatSpec? Sat = null)
{
    /// <summary>The model's default vocabulary, <c>[Width(Vocab = …)]</c>, or null.</summary>
    public int? Vocab { get; init; }
}

/// <summary>What the parser found: a model to emit (absent when an error prevents it), diagnostics to report, and the shell to emit instead of a model with errors.</summary>
internal sealed record ParseResult(ModelSpec? Model, EquatableArray<DiagnosticInfo> Diagnostics, ShellSpec? Shell = null);

/// <summary>A declaration with errors, emitted as a shell that compiles so that only its SparseDsl errors show.</summary>
internal sealed record ShellSpec(string? Namespace, string ClassName, string HintName, bool IsBlock, EquatableArray<ShellProperty> Properties, bool UserDeclaresDeclaration);

/// <summary>One partial DSL property of a <see cref="ShellSpec"/>, implemented by a throw.</summary>
internal sealed record ShellProperty(string Modifiers, string Type, string Name, bool HasSetter);
