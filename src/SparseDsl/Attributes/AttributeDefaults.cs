namespace SparseDsl;

/// <summary>
/// The one definition of every attribute default. The runtime attributes initialise their properties from these
/// constants, and the source generator compiles this same file (linked, not copied), so the two cannot disagree.
/// </summary>
internal static class AttributeDefaults
{
    /// <summary><c>WidthAttribute.Base</c>: the paper's proxy width.</summary>
    public const int BaseWidth = 256;

    /// <summary>Every dimension expression that is not given: the model width.</summary>
    public const string Dimension = "width";

    /// <summary><c>AttentionAttribute.HeadDim</c>: the paper's d_head.</summary>
    public const int HeadDim = 64;

    /// <summary><c>AttentionAttribute.RopeTheta</c>: the base of RoPE's frequencies (Su et al. 2021; Llama).</summary>
    public const double RopeTheta = 10000;

    /// <summary><c>ConvAttribute.Dimensions</c>: a 2-D (image) convolution.</summary>
    public const int ConvDimensions = 2;

    /// <summary><c>ConvAttribute.Stride</c>.</summary>
    public const int Stride = 1;

    /// <summary><c>ConvAttribute.Padding</c>.</summary>
    public const int Padding = 0;

    /// <summary><c>ConvAttribute.Groups</c>.</summary>
    public const int Groups = 1;

    /// <summary><c>RepeatAttribute.Depth</c>.</summary>
    public const int Depth = 1;

    /// <summary><c>RepeatAttribute.BaseDepth</c>: unset, meaning the declared depth.</summary>
    public const int BaseDepth = 0;

    /// <summary><c>ExpertsAttribute.TopK</c>: experts per token (Mixtral's 2 of 8).</summary>
    public const int ExpertsTopK = 2;

    /// <summary><c>ExpertsAttribute.BalanceLoss</c>: the load-balancing loss coefficient (docs/moe.md).</summary>
    public const double BalanceLoss = 0.01;

    /// <summary><c>SparsityAcceleratedAttribute.OmissionRate</c>.</summary>
    public const double OmissionRate = 0.5;

    /// <summary><c>SparsityAcceleratedAttribute.HoldFraction</c>.</summary>
    public const double HoldFraction = 0.5;

    /// <summary><c>SparsityAcceleratedAttribute.DenseFraction</c>.</summary>
    public const double DenseFraction = 0.2;

    /// <summary><c>SparsityAcceleratedAttribute.Rungs</c>.</summary>
    public const int Rungs = 2;

    /// <summary><c>SparsityAcceleratedAttribute.ReestimateEvery</c>.</summary>
    public const int ReestimateEvery = 1;
}
