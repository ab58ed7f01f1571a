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
/// <para>Depth (docs/depth.md, rows R0–R20): under a <see cref="SparseDsl.DepthRule"/> other than <c>None</c>, with
/// <c>m_L = L / L_base</c> and α = ½ (depth-μP) or 1 (CompleteP), a residual branch is multiplied by <c>m_L^(−α)</c>
/// where it joins the stream; the hidden weights, norm gains, biases, vectors and expert-bank routers inside a branch train at
/// <c>m_L^(α−1)</c> times their width/density learning rate; AdamW's ε is <c>ε·m_d⁻¹·m_L^(−α)</c> in a branch and
/// <c>ε·m_d⁻¹</c> outside (the fixed CompleteP split); hidden weight decay is <c>λ·m_d·m_ρ</c>, with no depth factor.
/// No init carries a depth factor. Under <c>None</c> every one of these factors is 1.</para>
/// </remarks>
public sealed class ScalingRules
{
    /// <summary>Creates the rules for one parameterization, set of base hyperparameters and depth rule.</summary>
    public ScalingRules(Parameterization parameterization, BaseHyperparameters hyperparameters, DepthRule depthRule = DepthRule.None)
    {
        ArgumentNullException.ThrowIfNull(hyperparameters);
        if (!Enum.IsDefined(parameterization))
            throw new ArgumentOutOfRangeException(nameof(parameterization), parameterization, "Unknown parameterization.");
        if (!Enum.IsDefined(depthRule))
            throw new ArgumentOutOfRangeException(nameof(depthRule), depthRule, "Unknown depth rule.");
        hyperparameters.Validate();
        Parameterization = parameterization;
        Hyperparameters = hyperparameters;
        DepthRule = depthRule;
    }

    /// <summary>The parameterization these rules implement.</summary>
    public Parameterization Parameterization { get; }

    /// <summary>The depth rule these rules implement (<see cref="SparseDsl.DepthRule.None"/>: no depth factor anywhere).</summary>
    public DepthRule DepthRule { get; }

    /// <summary>α, the depth exponent: ½ for depth-μP, 1 for CompleteP; null without a depth rule (which is not α = 0).</summary>
    public double? DepthExponent => DepthRule switch
    {
        DepthRule.DepthMuP => 0.5,
        DepthRule.CompleteP => 1.0,
        _ => null,
    };

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

    /// <summary>Depth multiplier <c>m_L = depth / baseDepth</c> of a repeated stack (row R0).</summary>
    public static double DepthMultiplier(int depth, int baseDepth)
    {
        if (depth < 1) throw new ArgumentOutOfRangeException(nameof(depth), depth, "The depth must be at least 1.");
        if (baseDepth < 1) throw new ArgumentOutOfRangeException(nameof(baseDepth), baseDepth, "The base depth must be at least 1.");
        return (double)depth / baseDepth;
    }

    /// <summary>The factor on a residual branch where it joins the stream (row R1): <c>m_L^(−α)</c>, 1 without a depth rule.</summary>
    public double ResidualMultiplier(double depthMultiplier)
    {
        CheckDepthMultiplier(depthMultiplier);
        return DepthExponent is double alpha ? Math.Pow(depthMultiplier, -alpha) : 1.0;
    }

    /// <summary>
    /// The depth factor on the learning rate of a hidden weight, norm gain, bias or vector inside a residual branch
    /// (rows R9–R12): <c>m_L^(α−1)</c>, so 1 under CompleteP and <c>m_L^(−½)</c> under depth-μP; 1 without a depth rule.
    /// </summary>
    public double BranchLearningRateMultiplier(double depthMultiplier)
    {
        CheckDepthMultiplier(depthMultiplier);
        return DepthExponent is double alpha ? Math.Pow(depthMultiplier, alpha - 1) : 1.0;
    }

    /// <summary>
    /// The factor on AdamW's base ε for one tensor (rows R16, R17, after CompleteP's fix): <c>m_d⁻¹·m_L^(−α)</c> in a
    /// residual branch and <c>m_d⁻¹</c> outside, where <c>m_d</c> is the model's width multiplier (every gradient
    /// upstream of the <c>α_output/m_d</c> readout is Θ(1/m_d)) and is 1 under SP. There is no density factor: a kept
    /// entry's gradient does not scale with density. Without a depth rule, 1 (one ε for every group, as before).
    /// </summary>
    /// <param name="modelWidthMultiplier">The model's <c>m_d = width / base width</c>.</param>
    /// <param name="branchDepthMultiplier">m_L of the stack whose branch holds the tensor; null out of any branch.</param>
    public double EpsilonMultiplier(double modelWidthMultiplier, double? branchDepthMultiplier)
    {
        CheckWidthMultiplier(modelWidthMultiplier, nameof(modelWidthMultiplier));
        if (DepthRule == DepthRule.None) return 1.0;
        double width = Parameterization == Parameterization.Standard ? 1.0 : 1.0 / modelWidthMultiplier;
        return branchDepthMultiplier is double depth ? width * ResidualMultiplier(depth) : width;
    }

    /// <summary>
    /// The factor on λ that makes decoupled decay width- and density-independent for a tensor of scaling
    /// <paramref name="scaling"/>: one over the width×density part of its learning-rate multiplier (<c>m_d·m_ρ</c> for a
    /// hidden weight under SμPar), never the depth part (row R18). AdamW then shrinks by <c>lr·λ = η·m_L^(α−1)·λ</c>.
    /// </summary>
    public static double WidthIndependentDecayMultiplier(ParameterScaling scaling) =>
        scaling.DepthLearningRateMultiplier / scaling.LearningRateMultiplier;

    /// <summary>
    /// Scaling of a tensor at its place in a model: <see cref="Weight(ParameterRole, double, double)"/> for its width
    /// and density, then the depth rule's factors. In a residual branch (<paramref name="branchDepthMultiplier"/> set)
    /// hidden weights, norm gains, biases, vectors and routers get the LR factor <c>m_L^(α−1)</c> (a router's logits
    /// reach the stream only through its branch's gates, so its updates add up over the stack as a hidden weight's do;
    /// SparseDsl assumption, docs/depth.md); input- and output-like tensors in a branch get none (SparseDsl assumption:
    /// no source covers them). Every tensor gets its ε factor and,
    /// under a depth rule, the width-independent decay factor.
    /// </summary>
    /// <param name="role">The row of Table 1.</param>
    /// <param name="widthMultiplier">m_d of the tensor's fan-in.</param>
    /// <param name="densityMultiplier">m_ρ of its mask (1 when dense).</param>
    /// <param name="modelWidthMultiplier">The model's m_d, for ε.</param>
    /// <param name="branchDepthMultiplier">m_L of the stack whose branch holds the tensor; null out of any branch.</param>
    public ParameterScaling Weight(ParameterRole role, double widthMultiplier, double densityMultiplier, double modelWidthMultiplier, double? branchDepthMultiplier)
    {
        var scaling = Weight(role, widthMultiplier, densityMultiplier);
        double depthLr = branchDepthMultiplier is double depth && role is ParameterRole.Hidden or ParameterRole.Norm or ParameterRole.Bias or ParameterRole.Vector or ParameterRole.Router
            ? BranchLearningRateMultiplier(depth)
            : 1.0;
        scaling = scaling with
        {
            InBranch = branchDepthMultiplier is not null,
            LearningRateMultiplier = scaling.LearningRateMultiplier * depthLr,
            DepthLearningRateMultiplier = depthLr,
            EpsilonMultiplier = EpsilonMultiplier(modelWidthMultiplier, branchDepthMultiplier),
        };
        return DepthRule == DepthRule.None ? scaling : scaling with { WeightDecayMultiplier = WidthIndependentDecayMultiplier(scaling) };
    }

    /// <summary>
    /// Scaling of a weight matrix with the given role, width multiplier <paramref name="widthMultiplier"/> (m_d of
    /// its fan-in) and density multiplier <paramref name="densityMultiplier"/> (m_ρ).
    /// </summary>
    public ParameterScaling Weight(ParameterRole role, double widthMultiplier, double densityMultiplier = 1.0)
    {
        CheckWidthMultiplier(widthMultiplier, nameof(widthMultiplier));
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

    private static void CheckWidthMultiplier(double widthMultiplier, string name)
    {
        if (!(widthMultiplier > 0) || !double.IsFinite(widthMultiplier))
            throw new ArgumentOutOfRangeException(name, widthMultiplier, "Width multiplier must be positive.");
    }

    private static void CheckDepthMultiplier(double depthMultiplier)
    {
        if (!(depthMultiplier > 0) || !double.IsFinite(depthMultiplier))
            throw new ArgumentOutOfRangeException(nameof(depthMultiplier), depthMultiplier, "Depth multiplier must be positive.");
    }
}
