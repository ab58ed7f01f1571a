namespace SparseDsl;

/// <summary>
/// The one place where SparseDsl's scaling maths live: Table 1 of Dey, Bergsma, Hestness (2024), "Sparse maximal
/// update parameterization". Generated models ask this type for every init std, learning-rate multiplier and
/// forward multiplier; nothing else re-derives them.
/// </summary>
/// <remarks>
/// <para><c>m_d</c> is the width multiplier of a layer's fan-in (<c>fanIn / baseFanIn</c>); <c>m_ρ = ρ / ρ_base</c> with
/// a dense base model, so <c>m_ρ = ρ = 1 − sparsity</c>.</para>
/// <para>Mixture-of-experts banks add one role, <see cref="ParameterRole.Router"/> (docs/moe.md): experts are ordinary
/// hidden layers with the fan-in and mask of one expert, expert biases are biases, and no factor contains the number of
/// experts or the number each token is routed to.</para>
/// <para>SP follows the paper's SP column: every weight N(0, σ²), every learning rate η, no multipliers, attention
/// scaled by 1/√d_head.</para>
/// </remarks>
public sealed class ScalingRules
{
    /// <summary>Creates the rules for one parameterization and set of base hyperparameters.</summary>
    public ScalingRules(Parameterization parameterization, BaseHyperparameters hyperparameters)
    {
        ArgumentNullException.ThrowIfNull(hyperparameters);
        if (!Enum.IsDefined(parameterization))
            throw new ArgumentOutOfRangeException(nameof(parameterization), parameterization, "Unknown parameterization.");
        hyperparameters.Validate();
        Parameterization = parameterization;
        Hyperparameters = hyperparameters;
    }

    /// <summary>The parameterization these rules implement.</summary>
    public Parameterization Parameterization { get; }

    /// <summary>The base hyperparameters being transferred.</summary>
    public BaseHyperparameters Hyperparameters { get; }

    /// <summary>
    /// The role of a weight matrix from its dimensions: a finite fan-in is input-like, a finite fan-out is
    /// output-like (μP's rule; a layer with both finite is treated as input-like), otherwise hidden.
    /// </summary>
    public static ParameterRole RoleOf(Dimension fanIn, Dimension fanOut)
    {
        if (!fanIn.ScalesWithWidth) return ParameterRole.Embedding;
        if (!fanOut.ScalesWithWidth) return ParameterRole.Readout;
        return ParameterRole.Hidden;
    }

    /// <summary>
    /// The role of a free tensor from its shape, as μP's infshape decides it: with at most one dimension that scales with
    /// width it is vector-like; with two it is a hidden matrix read along <paramref name="fanIn"/>, which must be one of
    /// them; more than two has no rule in μP or SμPar.
    /// </summary>
    /// <exception cref="ArgumentException">Two scaling dimensions without a fan-in among them, or more than two.</exception>
    public static ParameterRole RoleOfShape(IReadOnlyList<Dimension> shape, Dimension? fanIn)
    {
        ArgumentNullException.ThrowIfNull(shape);
        int scaling = shape.Count(d => d.ScalesWithWidth);
        if (scaling <= 1) return ParameterRole.Vector;
        if (scaling > 2)
            throw new ArgumentException($"a tensor of shape [{string.Join(", ", shape)}] has {scaling} dimensions that scale with width; μP and SμPar give rules for one (vector-like) or two (matrix-like)");
        if (fanIn is not { ScalesWithWidth: true } f || !shape.Contains(f))
            throw new ArgumentException($"a tensor of shape [{string.Join(", ", shape)}] is matrix-like (two dimensions scale with width), so it needs FanIn set to the dimension each output reads");
        return ParameterRole.Hidden;
    }

    /// <summary>Width multiplier <c>m_d = fanIn / baseFanIn</c> for a dimension at the given widths (1 for finite ones).</summary>
    public static double WidthMultiplier(Dimension fanIn, int width, int baseWidth)
        => fanIn.ScalesWithWidth ? (double)fanIn.Resolve(width) / fanIn.Resolve(baseWidth) : 1.0;

    /// <summary>Density multiplier <c>m_ρ = (1 − sparsity) / ρ_base</c>, with a dense base model (ρ_base = 1).</summary>
    public static double DensityMultiplier(double sparsity)
    {
        if (!(sparsity >= 0 && sparsity < 1))
            throw new ArgumentOutOfRangeException(nameof(sparsity), sparsity, "Sparsity must be in [0, 1).");
        return 1.0 - sparsity;
    }

    /// <summary>
    /// Scaling of a weight matrix with the given role, width multiplier <paramref name="widthMultiplier"/> (m_d of
    /// its fan-in) and density multiplier <paramref name="densityMultiplier"/> (m_ρ).
    /// </summary>
    public ParameterScaling Weight(ParameterRole role, double widthMultiplier, double densityMultiplier = 1.0)
    {
        if (!(widthMultiplier > 0) || !double.IsFinite(widthMultiplier))
            throw new ArgumentOutOfRangeException(nameof(widthMultiplier), widthMultiplier, "Width multiplier must be positive.");
        if (!(densityMultiplier > 0 && densityMultiplier <= 1))
            throw new ArgumentOutOfRangeException(nameof(densityMultiplier), densityMultiplier, "Density multiplier must be in (0, 1].");

        double sigma = Hyperparameters.InitStd;
        bool standard = Parameterization == Parameterization.Standard;
        switch (role)
        {
            case ParameterRole.Embedding:
                return new(role, sigma, 1.0, standard ? 1.0 : Hyperparameters.InputAlpha, WeightDecay: true);
            case ParameterRole.Readout:
                return new(role, sigma, 1.0, standard ? 1.0 : Hyperparameters.OutputAlpha / widthMultiplier, WeightDecay: true);
            case ParameterRole.Router:
                // μP's readout case: E does not grow with width (docs/moe.md). Dense, so no m_ρ.
                return new(role, sigma, 1.0, standard ? 1.0 : Hyperparameters.RouterAlpha / widthMultiplier, WeightDecay: true);
            case ParameterRole.Hidden:
                double effectiveWidth = Parameterization switch
                {
                    Parameterization.Standard => 1.0,
                    Parameterization.MuP => widthMultiplier,
                    _ => widthMultiplier * densityMultiplier,
                };
                return new(role, sigma / Math.Sqrt(effectiveWidth), 1.0 / effectiveWidth, 1.0, WeightDecay: true);
            case ParameterRole.Bias:
                return new(role, 0.0, 1.0, 1.0, WeightDecay: false);
            case ParameterRole.Norm:
                return new(role, 0.0, 1.0, 1.0, WeightDecay: false);
            case ParameterRole.Vector:
                return new(role, sigma, 1.0, 1.0, WeightDecay: false);
            case ParameterRole.Unscaled:
                return new(role, 0.0, 1.0, 1.0, WeightDecay: true);
            default:
                throw new ArgumentOutOfRangeException(nameof(role), role, "Unknown parameter role.");
        }
    }

    /// <summary>Scale applied to attention logits <c>qᵀk</c>: 1/d_head under μP and SμPar, 1/√d_head under SP.</summary>
    public double AttentionScale(int headDim)
    {
        if (headDim <= 0) throw new ArgumentOutOfRangeException(nameof(headDim), headDim, "Head dimension must be positive.");
        return Parameterization == Parameterization.Standard ? 1.0 / Math.Sqrt(headDim) : 1.0 / headDim;
    }
}
