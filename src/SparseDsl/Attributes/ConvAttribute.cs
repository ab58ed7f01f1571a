namespace SparseDsl;

/// <summary>
/// A 1-D or 2-D convolution with square kernels, on a <c>partial</c> property of type <see cref="ScaledConv"/>. Its fan-in
/// is <c>In / Groups × Kernel^Dimensions</c>, and its role follows from its channels as a linear layer's does from its
/// features: finite input channels (an image's 3, a patch embedding) make it input-like, width → width is hidden, finite
/// output channels make it a readout. With <see cref="Sparsity"/> its weight carries the same exact, seeded,
/// checkpointed mask as <see cref="SparseLinearAttribute"/>, and a hidden one gets SμPar's <c>m_d·m_ρ</c> scaling.
/// </summary>
/// <remarks>
/// Input <c>[batch, In, length]</c> (1-D) or <c>[batch, In, height, width]</c> (2-D); output with <see cref="Out"/>
/// channels. The forward multiplier (α_input for an input-like convolution) applies before the bias, as for linear layers.
/// </remarks>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class ConvAttribute : LayerAttribute<ScaledConv>
{
    /// <summary>1 (sequences) or 2 (images). Default 2.</summary>
    public int Dimensions { get; set; } = AttributeDefaults.ConvDimensions;

    /// <summary>Input channels as a dimension expression (<c>"3"</c> for RGB, <c>"width"</c>). Default <c>"width"</c>.</summary>
    public string In { get; set; } = AttributeDefaults.Dimension;

    /// <summary>Output channels as a dimension expression. Default <c>"width"</c>.</summary>
    public string Out { get; set; } = AttributeDefaults.Dimension;

    /// <summary>Kernel size along each spatial dimension (square kernels). Required.</summary>
    public int Kernel { get; set; }

    /// <summary>Stride along each spatial dimension. Default 1.</summary>
    public int Stride { get; set; } = AttributeDefaults.Stride;

    /// <summary>Zero padding on each side of each spatial dimension. Default 0.</summary>
    public int Padding { get; set; } = AttributeDefaults.Padding;

    /// <summary>Channel groups; <see cref="In"/> and <see cref="Out"/> must be divisible by it at every width built. Default 1.</summary>
    public int Groups { get; set; } = AttributeDefaults.Groups;

    /// <summary>Fraction of weights masked to zero, in [0, 1). Can be overridden at construction time.</summary>
    public double Sparsity { get; set; }

    /// <summary>Whether the layer has a (dense) bias.</summary>
    public bool Bias { get; set; }

    /// <inheritdoc />
    public override LayerDescription Describe(LayerContext context)
    {
        if (Dimensions is not (1 or 2)) throw new ArgumentException($"Dimensions = {Dimensions}: only 1-D and 2-D convolutions are supported");
        if (Kernel < 1) throw new ArgumentException($"Kernel = {Kernel}: the kernel size must be at least 1");
        if (Stride < 1) throw new ArgumentException($"Stride = {Stride}: the stride must be at least 1");
        if (Padding < 0) throw new ArgumentException($"Padding = {Padding}: the padding cannot be negative");
        if (Groups < 1) throw new ArgumentException($"Groups = {Groups}: there must be at least one group");
        var input = ParseDimension(nameof(In), In);
        var output = ParseDimension(nameof(Out), Out);
        if (context.Resolve(input) % Groups != 0 || context.Resolve(output) % Groups != 0)
            throw new ArgumentException($"{Groups} groups do not divide the {context.Resolve(input)} input and {context.Resolve(output)} output channels at width {context.Width}");
        var perGroup = PerGroup(input);
        var kernel = Dimension.Fixed(Kernel);
        int window = Dimensions == 1 ? Kernel : Kernel * Kernel;
        var weight = new ParameterDeclaration("weight", Dimensions == 1 ? [output, perGroup, kernel] : [output, perGroup, kernel, kernel], ParameterInit.Normal)
        {
            Role = ScalingRules.RoleOf(input, output),
            FanIn = perGroup,
            FanInFactor = window,
            Masked = true,
        };
        return new(input, output, Bias ? [weight, ParameterDeclaration.Bias(output) with { FanIn = perGroup, FanInFactor = window }] : [weight]) { Sparsity = Sparsity };
    }

    // In / Groups as a dimension, so that m_d compares the per-group fan-in at the width and at the base width.
    private Dimension PerGroup(Dimension input) => input.ScalesWithWidth
        ? Dimension.OfWidth(input.Numerator, input.Denominator * Groups)
        : Dimension.Fixed(input.FixedSize / Groups);
}
