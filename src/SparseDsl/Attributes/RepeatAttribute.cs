namespace SparseDsl;

/// <summary>
/// A stack of <see cref="Depth"/> copies of a block, on a <c>partial</c> property of type
/// <c>TorchSharp.Modules.ModuleList&lt;TBlock&gt;</c> where <c>TBlock</c> is a <see cref="BlockAttribute"/> class.
/// State-dict names are <c>{property}.{index}.{layer}</c>, as in PyTorch. <see cref="ModelOptions.Depth"/> overrides the
/// depth at construction time.
/// </summary>
/// <remarks>
/// The stack's blocks are residual branches: under a <see cref="SparseDsl.DepthRule"/> other than <c>None</c>, each
/// branch is multiplied by <c>m_L^(−α)</c> where the block adds it to the stream (<see cref="Residual.Add"/>), with
/// <c>m_L = depth / <see cref="BaseDepth"/></c>, and the tensors inside get the rule's learning-rate and ε factors.
/// </remarks>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class RepeatAttribute : Attribute
{
    /// <summary>Default number of copies (at least 1).</summary>
    public int Depth { get; set; } = AttributeDefaults.Depth;

    /// <summary>
    /// The base (proxy) depth the hyperparameters were tuned at, next to <see cref="WidthAttribute.Base"/>: the depth
    /// multiplier is <c>m_L = depth / BaseDepth</c>. At least 1 when set; unset (0) means the declared <see cref="Depth"/>.
    /// </summary>
    public int BaseDepth { get; set; } = AttributeDefaults.BaseDepth;
}
