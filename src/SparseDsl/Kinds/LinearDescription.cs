namespace SparseDsl;

/// <summary>The description shared by the linear kinds (<c>[Linear]</c>, <c>[SparseLinear]</c>, <c>[Readout]</c>): a <c>[out, in]</c> weight and an optional bias.</summary>
internal static class LinearDescription
{
    /// <summary>A linear layer from <paramref name="fanIn"/> to <paramref name="fanOut"/>; a non-null <paramref name="sparsity"/> masks its weight.</summary>
    public static LayerDescription Of(Dimension fanIn, Dimension fanOut, bool bias, bool zeroInit, double? sparsity, ParameterRole? role = null)
    {
        var weight = ParameterDeclaration.Weight(fanIn, fanOut, role ?? ScalingRules.RoleOf(fanIn, fanOut), masked: sparsity is not null, zeroInit);
        // The bias is listed with its layer's fan-in, as Describe has always shown it; biases take no m_d either way.
        ParameterDeclaration[] parameters = bias ? [weight, ParameterDeclaration.Bias(fanOut) with { FanIn = fanIn }] : [weight];
        return new(fanIn, fanOut, parameters) { Sparsity = sparsity };
    }
}
