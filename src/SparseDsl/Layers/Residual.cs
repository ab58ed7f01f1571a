using TorchSharp;
using static TorchSharp.torch;

namespace SparseDsl;

/// <summary>
/// Where a block adds a residual branch to the stream: <c>x = Residual.Add(this, x, Attention.call(Norm.call(x)))</c>.
/// The branch is multiplied by <c>m_L^(−α)</c> of the <see cref="RepeatAttribute"/> stack holding the block
/// (<see cref="ModelPlan.ResidualMultiplier"/>, from <see cref="ScalingRules.ResidualMultiplier"/>), so that depth-μP
/// and CompleteP transfer hyperparameters across depth. Without a depth rule, or outside every stack, it is exactly
/// <c>stream + branch</c>. Analyzer SDSL108 flags a repeated block that adds a branch with a plain <c>+</c>.
/// </summary>
public static class Residual
{

    /// <summary><paramref name="stream"/> + m_L^(−α) · <paramref name="branch"/>, as a new tensor.</summary>
    /// <param name="block">The block adding the branch (<c>this</c> in its <c>forward</c>).</param>
    /// <param name="stream">The residual stream.</param>
    /// <param name="branch">The branch's output, of the stream's shape.</param>
    public static Tensor Add(IScaledBlock block, Tensor stream, Tensor branch)
    {
        ArgumentNullException.ThrowIfNull(block);
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(branch);
        double multiplier = block.Plan.ResidualMultiplier(block.Prefix);
        if (multiplier == 1.0) return stream.add(branch, HeldScalars.One); // not add(branch): see HeldScalars
        // Disposed here rather than left to a finalizer (issue 24).
        using var alpha = multiplier.ToScalar();
        return stream.add(branch, alpha);
    }
}
