namespace SparseDsl;

/// <summary>One tensor of a layer resolved at a width and sparsity, with the scaling the rules give it.</summary>
/// <param name="Name">The name within the layer (<c>weight</c>).</param>
/// <param name="Shape">The resolved shape.</param>
/// <param name="Scaling">Role, init std, LR and forward multipliers, weight decay.</param>
/// <param name="Init">How it starts.</param>
/// <param name="FanIn">Inputs per output unit (1 for vectors and gains).</param>
/// <param name="Density">Fraction of entries the mask keeps (1 when unmasked).</param>
public sealed record ParameterPlan(string Name, long[] Shape, ParameterScaling Scaling, ParameterInit Init, int FanIn, double Density)
{
    /// <summary>Whether a static mask applies (density below 1).</summary>
    public bool IsMasked => Density < 1;

    /// <summary>For a tied readout's weight: the full name of the embedding tensor it is (trained there, not here).</summary>
    public string? TiedTo { get; init; }

    /// <summary>Whether the tensor lives in a residual branch (a <see cref="RepeatAttribute"/> stack's block), where a depth rule scales it.</summary>
    public bool InBranch => Scaling.InBranch;

    /// <summary>Number of entries.</summary>
    public long Count => Shape.Aggregate(1L, (a, b) => a * b);
}
