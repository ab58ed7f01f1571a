namespace SparseDsl;

/// <summary>A <see cref="RepeatAttribute"/> stack of a <see cref="ModelPlan"/>: its blocks are residual branches.</summary>
/// <param name="Name">Full state-dict name of the stack (<c>blocks</c>).</param>
/// <param name="Depth">Copies built (after <see cref="ModelOptions.Depth"/>).</param>
/// <param name="BaseDepth">The depth the hyperparameters were tuned at (<see cref="RepeatAttribute.BaseDepth"/>).</param>
/// <param name="DepthMultiplier"><c>m_L = Depth / BaseDepth</c>.</param>
/// <param name="ResidualMultiplier">The factor on each branch where it joins the stream: <c>m_L^(−α)</c>, 1 without a depth rule.</param>
public sealed record ResidualStack(string Name, int Depth, int BaseDepth, double DepthMultiplier, double ResidualMultiplier);
