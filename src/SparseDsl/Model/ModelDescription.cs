using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SparseDsl;

/// <summary>How a parameter starts: drawn from a normal, zeros, ones (norm gains), or shared with a tied embedding.</summary>
public enum ParameterInit
{
    /// <summary>N(0, InitStd²).</summary>
    Normal,

    /// <summary>All zeros (biases, zero-initialised weights).</summary>
    Zeros,

    /// <summary>All ones (norm gains).</summary>
    Ones,

    /// <summary>The tensor of the embedding named in <see cref="ParameterDescription.TiedTo"/>.</summary>
    Tied,

    /// <summary>Whatever the user's own code made (a member marked <see cref="UnscaledAttribute"/>).</summary>
    AsBuilt,
}

/// <summary>One parameter of a <see cref="ModelPlan"/>, as <see cref="ModelPlan.DescribeParameters()"/> reports it.</summary>
/// <param name="Name">State-dict name.</param>
/// <param name="Role">The row of Table 1 that applies.</param>
/// <param name="Shape">Tensor shape.</param>
/// <param name="FanIn">Inputs per output unit (1 for an embedding row lookup and for norm gains).</param>
/// <param name="Density">Fraction of entries kept by the mask.</param>
/// <param name="Init">How the tensor starts.</param>
/// <param name="InitStd">Init standard deviation (0 unless <paramref name="Init"/> is Normal or Tied).</param>
/// <param name="LearningRateMultiplier">Factor on the base learning rate.</param>
/// <param name="ForwardMultiplier">Factor on the layer output.</param>
/// <param name="WeightDecay">Whether decoupled weight decay applies.</param>
/// <param name="TiedTo">For a tied readout: the embedding weight it reads (it is trained there, not here).</param>
public sealed record ParameterDescription(
    string Name, ParameterRole Role, long[] Shape, int FanIn, double Density, ParameterInit Init, double InitStd,
    double LearningRateMultiplier, double ForwardMultiplier, bool WeightDecay, string? TiedTo = null)
{
    /// <summary>Whether the tensor lives in a residual branch (a <see cref="RepeatAttribute"/> stack's block).</summary>
    public bool InBranch { get; init; }

    /// <summary>Factor on AdamW's base ε for its group (<see cref="ParameterScaling.EpsilonMultiplier"/>).</summary>
    public double EpsilonMultiplier { get; init; } = 1.0;

    /// <summary>Factor on the base weight decay when decay applies (<see cref="ParameterScaling.WeightDecayMultiplier"/>).</summary>
    public double WeightDecayMultiplier { get; init; } = 1.0;
}

/// <summary>
/// One AdamW group of a <see cref="ModelPlan"/> as <see cref="ScaledOptimizers"/> builds it with default settings: the
/// factors on η_base, AdamW's base ε and λ its members share, and how many tensors it holds.
/// </summary>
/// <param name="LearningRateMultiplier">Factor on η_base.</param>
/// <param name="EpsilonMultiplier">Factor on the base ε.</param>
/// <param name="WeightDecayMultiplier">Factor on λ (0 when the members are not decayed).</param>
/// <param name="Tensors">Number of tensors in the group.</param>
public sealed record GroupDescription(double LearningRateMultiplier, double EpsilonMultiplier, double WeightDecayMultiplier, int Tensors);

/// <summary>An attention layer of a <see cref="ModelPlan"/>: heads, positions and the factor on its logits.</summary>
/// <param name="Name">Full layer name.</param>
/// <param name="Heads">Number of query heads.</param>
/// <param name="KeyValueHeads">Number of key/value heads (fewer than <paramref name="Heads"/> under grouped-query attention).</param>
/// <param name="HeadDim">d_head.</param>
/// <param name="LogitScale">Factor on <c>qᵀk</c>: 1/d_head (μP, SμPar) or 1/√d_head (SP).</param>
/// <param name="Positions">ALiBi, RoPE or none.</param>
/// <param name="QkNorm">Whether queries and keys are RMS-normalised per head before the logits.</param>
/// <param name="Causal">Whether each position attends only to itself and earlier ones (<see cref="AttentionAttribute.Causal"/>); <see cref="ModelCost"/> counts half the score and value work then.</param>
public sealed record AttentionDescription(string Name, int Heads, int KeyValueHeads, int HeadDim, double LogitScale, PositionEncoding Positions, bool QkNorm, bool Causal = true)
{
    /// <summary>Whether ALiBi biases are added.</summary>
    public bool Alibi => Positions == PositionEncoding.Alibi;
}

/// <summary>How one masked layer stores its weight on the CPU, as <see cref="SparseDispatch"/> decides it.</summary>
/// <param name="Layer">Full layer name.</param>
/// <param name="Sparse">Whether it stores only its kept values and runs the sparse kernels.</param>
/// <param name="Reason">The rule or request that decided it.</param>
public sealed record LayerStorageDescription(string Layer, bool Sparse, string Reason);

/// <summary>Renders a <see cref="ModelPlan"/> as rows, a text table and JSON.</summary>
internal static class ModelDescription
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };

    public static IReadOnlyList<ParameterDescription> Parameters(ModelPlan plan, IEnumerable<ScaledParameter>? unscaled = null)
    {
        var rows = new List<ParameterDescription>();
        foreach (var layer in plan.Layers)
            foreach (var p in layer.Parameters)
            {
                var scaling = p.Scaling;
                var trained = scaling;
                // A tied readout's table is the embedding's: trained and initialised there, multiplied here.
                if (p.TiedTo is { } tied) trained = plan[tied[..tied.LastIndexOf('.')]].RequireWeight();
                rows.Add(new($"{layer.Name}.{p.Name}", scaling.Role, p.Shape, p.FanIn, p.Density, p.Init, trained.InitStd, trained.LearningRateMultiplier, scaling.ForwardMultiplier, trained.WeightDecay, p.TiedTo)
                {
                    InBranch = trained.InBranch,
                    EpsilonMultiplier = trained.EpsilonMultiplier,
                    WeightDecayMultiplier = trained.WeightDecayMultiplier,
                });
            }
        foreach (var p in unscaled ?? [])
            rows.Add(new(p.Name, ParameterRole.Unscaled, p.Parameter.shape, 1, 1.0, ParameterInit.AsBuilt, 0, p.Scaling.LearningRateMultiplier, 1.0, p.Scaling.WeightDecay));
        return rows;
    }

    /// <summary>The AdamW groups of the rows, as <see cref="ScaledOptimizers.ParameterGroups"/> forms them (a tied readout trains in its embedding's).</summary>
    public static IReadOnlyList<GroupDescription> Groups(IEnumerable<ParameterDescription> rows) =>
        rows.Where(r => r.TiedTo is null)
            .GroupBy(r => (r.LearningRateMultiplier, r.WeightDecay, Decay: r.WeightDecay ? r.WeightDecayMultiplier : 0.0, r.EpsilonMultiplier))
            .Select(g => new GroupDescription(g.Key.LearningRateMultiplier, g.Key.EpsilonMultiplier, g.Key.Decay, g.Count()))
            .ToList();

    public static IReadOnlyList<AttentionDescription> Attention(ModelPlan plan) =>
        plan.Layers.Select(l => l.Attention).OfType<AttentionDescription>().ToList();

    public static IReadOnlyList<ExpertsDescription> Experts(ModelPlan plan) =>
        plan.Layers.Select(l => l.Experts).OfType<ExpertsDescription>().ToList();

    /// <summary>The storage <see cref="SparseDispatch"/> gives each masked layer on the CPU (a CUDA run stores them dense masked).</summary>
    public static IReadOnlyList<LayerStorageDescription> Storage(ModelPlan plan) =>
        plan.Layers.Where(l => l.IsMasked)
            .Select(l => SparseDispatch.Decide(l, TorchSharp.DeviceType.CPU) is var d ? new LayerStorageDescription(l.Name, d.IsSparse, d.Reason) : null!)
            .ToList();

    public static string Text(ModelPlan plan, IEnumerable<ScaledParameter>? unscaled = null)
    {
        var c = CultureInfo.InvariantCulture;
        var rows = Parameters(plan, unscaled);
        int nameWidth = Math.Max(24, rows.Select(r => r.Name.Length).DefaultIfEmpty(0).Max());
        var sb = new StringBuilder();
        sb.Append(c, $"{plan.ModelName}: width {plan.Width} (base {plan.BaseWidth}, m_d {(double)plan.Width / plan.BaseWidth:0.###}), {plan.Rules.Parameterization.DisplayName()}, depth rule {plan.DepthRule.DisplayName()}\n");
        foreach (var s in plan.Stacks)
            sb.Append(c, $"{s.Name}: depth {s.Depth} (base {s.BaseDepth}, m_L {s.DepthMultiplier:0.###}), residual branches x {s.ResidualMultiplier:0.#####}\n");
        sb.Append(c, $"{"parameter".PadRight(nameWidth)} {"role",-10} {"shape",-12} {"fan-in",7} {"density",8} {"init",6} {"init std",10} {"LR mult",9} {"fwd mult",9} {"decay",5} {"eps mult",9} {"branch",6}\n");
        foreach (var r in rows)
        {
            string init = r.Init.ToString().ToLowerInvariant();
            sb.Append(c, $"{r.Name.PadRight(nameWidth)} {r.Role,-10} {string.Join("x", r.Shape),-12} {r.FanIn,7} {r.Density,8:0.####} {init,6} {r.InitStd,10:0.#####} {r.LearningRateMultiplier,9:0.#####} {r.ForwardMultiplier,9:0.#####} {(r.WeightDecay ? "yes" : "no"),5} {r.EpsilonMultiplier,9:0.#####} {(r.InBranch ? "yes" : "no"),6}");
            if (r.TiedTo is not null) sb.Append(c, $"  (tied to {r.TiedTo})");
            sb.Append('\n');
        }
        sb.Append("AdamW groups (LR x η_base, ε x base ε, decay x λ):\n");
        foreach (var g in Groups(rows))
            sb.Append(c, $"  LR x {g.LearningRateMultiplier:0.#####}, ε x {g.EpsilonMultiplier:0.#####}, decay x {g.WeightDecayMultiplier:0.#####}: {g.Tensors} tensor{(g.Tensors == 1 ? "" : "s")}\n");
        foreach (var a in Attention(plan))
        {
            string groups = a.KeyValueHeads == a.Heads ? "" : $" ({a.KeyValueHeads} key/value heads)";
            string positions = a.Positions switch { PositionEncoding.Alibi => ", ALiBi", PositionEncoding.Rope => ", RoPE", _ => "" };
            sb.Append(c, $"{a.Name}: {a.Heads} heads x d_head {a.HeadDim}{groups}, logits x {a.LogitScale:0.######}{positions}{(a.QkNorm ? ", QK-norm" : "")}, {(a.Causal ? "causal" : "bidirectional")}\n");
        }
        foreach (var e in Experts(plan))
            sb.Append(c, $"{e.Name}: {e.Count} experts, top-{e.TopK} (k/E {e.ActiveFraction:0.####}), dropless, balance loss x {e.BalanceLoss:0.######}, z-loss x {e.ZLoss:0.######}\n");
        var storage = Storage(plan);
        if (storage.Count > 0)
        {
            sb.Append(c, $"Weight storage on the CPU ({storage.Count(s => s.Sparse)} of {storage.Count} masked layers sparse; on CUDA every layer is dense masked):\n");
            foreach (var s in storage) sb.Append(c, $"  {s.Layer.PadRight(nameWidth)} {s.Reason}\n");
        }
        return sb.ToString();
    }

    public static string Json(ModelPlan plan, IEnumerable<ScaledParameter>? unscaled = null) => JsonSerializer.Serialize(new
    {
        model = plan.ModelName,
        width = plan.Width,
        baseWidth = plan.BaseWidth,
        parameterization = plan.Rules.Parameterization,
        depthRule = plan.DepthRule,
        hyperparameters = plan.Rules.Hyperparameters,
        stacks = plan.Stacks,
        parameters = Parameters(plan, unscaled),
        groups = Groups(Parameters(plan, unscaled)),
        attention = Attention(plan),
        experts = Experts(plan) is { Count: > 0 } banks ? banks : null, // absent for models without experts
        storage = Storage(plan) is { Count: > 0 } layers ? layers : null, // absent for models without masks
    }, JsonOptions);
}
