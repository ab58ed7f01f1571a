namespace SparseDsl.Generators.Specs;

/// <summary>
/// A [SparsityAccelerated] block: the attribute's declared hyperparameters as C# initializer assignments (undeclared
/// ones keep the runtime attribute's defaults, their only definition) and the fields of the projections on each side
/// of its units: an MLP's hidden layer, or (with <see cref="Attention"/>) an attention's heads.
/// </summary>
internal sealed record SatSpec(
    string Assignments,
    EquatableArray<string> Expanding,
    EquatableArray<string> Contracting)
{
    /// <summary>For Heads = true: the field of the attention whose heads are omitted; null for an MLP block.</summary>
    public string? Attention { get; init; }
}
