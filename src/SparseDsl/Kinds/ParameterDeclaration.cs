namespace SparseDsl;

/// <summary>
/// One tensor a layer kind declares: its shape in dimension expressions and what decides its scaling. Roles come from
/// <see cref="ScalingRules"/>: an explicit <see cref="Role"/>, else μP's rule on how many dimensions scale with width
/// (<see cref="ScalingRules.RoleOfShape"/>).
/// </summary>
/// <param name="Name">The name within the layer (<c>weight</c>, <c>bias</c>), as it appears in the state dict.</param>
/// <param name="Shape">The tensor's shape as dimensions.</param>
/// <param name="Init">How it starts: normal (std from the rules), zeros or ones.</param>
public sealed record ParameterDeclaration(string Name, IReadOnlyList<Dimension> Shape, ParameterInit Init)
{
    /// <summary>The row of Table 1 that applies; null lets <see cref="ScalingRules.RoleOfShape"/> decide from the shape.</summary>
    public ParameterRole? Role { get; init; }

    /// <summary>The dimension each output unit reads (m_d is its width multiplier); null for vectors and gains (m_d = 1).</summary>
    public Dimension? FanIn { get; init; }

    /// <summary>Finite inputs per fan-in channel (a convolution's kernel size over its groups), for the fan-in count shown.</summary>
    public int FanInFactor { get; init; } = 1;

    /// <summary>Whether the layer's static sparsity mask applies to this tensor.</summary>
    public bool Masked { get; init; }

    /// <summary>Overrides the rules' weight-decay choice for this tensor.</summary>
    public bool? WeightDecay { get; init; }

    /// <summary>A <c>[out, in]</c> weight from fan-in to fan-out, initialised N(0, σ²) (or zeros).</summary>
    public static ParameterDeclaration Weight(Dimension fanIn, Dimension fanOut, ParameterRole role, bool masked = false, bool zeroInit = false) =>
        new("weight", [fanOut, fanIn], zeroInit ? ParameterInit.Zeros : ParameterInit.Normal) { Role = role, FanIn = fanIn, Masked = masked };

    /// <summary>A zero-initialised bias of the given length.</summary>
    public static ParameterDeclaration Bias(Dimension length) => new("bias", [length], ParameterInit.Zeros) { Role = ParameterRole.Bias };

    /// <summary>A gain initialised to one, of the given length.</summary>
    public static ParameterDeclaration Gain(string name, Dimension length) => new(name, [length], ParameterInit.Ones) { Role = ParameterRole.Norm };
}
