namespace SparseDsl.Generators.Model;

/// <summary>
/// A [SparsityAccelerated] block: the attribute's declared hyperparameters as C# initializer assignments (undeclared
/// ones keep the runtime attribute's defaults, their only definition) and the fields of the projections on each side
/// of its hidden layer.
/// </summary>
internal sealed record SatSpec(
    string Assignments,
    EquatableArray<string> Expanding,
    EquatableArray<string> Contracting);
