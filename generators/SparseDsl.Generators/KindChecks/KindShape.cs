using SparseDsl.Generators.Specs;

namespace SparseDsl.Generators.KindChecks;

/// <summary>What a kind's generator-side description reads from one attribute, for the analyzers, SAT and the emitter.</summary>
/// <param name="In">The dimension the layer reads, or null.</param>
/// <param name="Out">The dimension the layer writes, or null.</param>
internal sealed record KindShape(DimensionSpec? In, DimensionSpec? Out)
{
    /// <summary>The declared sparsity, when the kind takes one.</summary>
    public double? Sparsity { get; init; }

    /// <summary>Inputs per fan-in channel (kernel size over groups).</summary>
    public int FanInFactor { get; init; } = 1;

    /// <summary>A projection SAT can slice.</summary>
    public bool IsProjection { get; init; }

    /// <summary>Called on one tensor, so chains can be checked.</summary>
    public bool Chains { get; init; }

    /// <summary>For an expert bank: its number of experts (a layer of the same class that maps In to that many outputs would be a second router).</summary>
    public int? Experts { get; init; }

    /// <summary>The property name of a same-class layer this one is built from.</summary>
    public string? Reference { get; init; }
}
