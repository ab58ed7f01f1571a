using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SparseDsl.Export;

/// <summary>
/// The <c>__metadata__</c> of a SparseDsl safetensors export: strings only (the format's rule), structured values as
/// compact JSON. Everything a reader needs to rebuild the declared model (the recipe) or to apply the multipliers by
/// hand (multipliers, attention, ties) is here.
/// </summary>
public static class ExportMetadata
{
    /// <summary>The value of <see cref="Format"/> in every file this build writes.</summary>
    public const string FormatVersion = "sparsedsl/1";

    /// <summary>Keys of the metadata map.</summary>
    public const string Format = "format", Folded = "folded", Model = "model", Recipe = "recipe", Parameterization = "parameterization",
        Width = "width", BaseWidth = "base_width", Vocabulary = "vocabulary", Hyperparameters = "hyperparameters", Densities = "densities",
        Multipliers = "multipliers", Attention = "attention", Tied = "tied", Tokenizer = "tokenizer", NormEpsilon = "norm_epsilon",
        FoldedMultipliers = "folded_multipliers", FoldedTies = "folded_ties", DepthRule = "depth_rule", ResidualStacks = "residual_stacks",
        SparseTensors = "sparse_tensors";

    /// <summary>The keys this exporter writes; extra metadata may not use them.</summary>
    public static IReadOnlySet<string> Reserved { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        Format, Folded, Model, Recipe, Parameterization, Width, BaseWidth, Vocabulary, Hyperparameters, Densities, Multipliers, Attention, Tied, Tokenizer, NormEpsilon,
        FoldedMultipliers, FoldedTies, DepthRule, ResidualStacks, SparseTensors,
    };

    /// <summary>
    /// The metadata of <paramref name="plan"/>. <paramref name="queryProjections"/> names each attention's query
    /// projection (where the folded export put its logit scale); <paramref name="folded"/> says whether the multipliers
    /// are already in the weights. The metadata always describes the file: a folded file's <c>multipliers</c> are all 1,
    /// its <c>tied</c> is empty and its attention's <c>logit_scale</c> is 1/√d_head, and what was folded in is kept under
    /// <c>folded_multipliers</c>, <c>folded_ties</c> and each attention's <c>folded_logit_scale</c>. <c>depth_rule</c> and
    /// <c>residual_stacks</c> (each <see cref="RepeatAttribute"/> stack's depth, base depth and the factor m_L^(−α) on
    /// every residual branch it adds, 1 without a depth rule) say what a reader must apply to the branches; a folded file
    /// always has depth rule <c>none</c> (<see cref="WeightExport"/> refuses to fold any other). <c>sparse_tensors</c>
    /// (<paramref name="sparseTensors"/>) names the weights written as stored values and indices; it is empty when every
    /// weight is dense.
    /// </summary>
    internal static Dictionary<string, string> Of(ModelPlan plan, ModelRecipe recipe, bool folded, string? tokenizer,
        IReadOnlyDictionary<string, string> queryProjections, JsonObject sparseTensors)
    {
        var c = CultureInfo.InvariantCulture;
        var rows = plan.DescribeParameters();
        var multipliers = new JsonObject();
        var left = new JsonObject();
        foreach (var row in rows)
        {
            multipliers[row.Name] = row.ForwardMultiplier;
            left[row.Name] = 1.0;
        }
        var densities = new JsonObject();
        foreach (var layer in plan.Layers.Where(l => l.IsMasked)) densities[layer.Name] = layer.Density;
        var ties = new JsonObject();
        foreach (var row in rows.Where(r => r.TiedTo is not null)) ties[row.Name] = row.TiedTo;
        var attention = new JsonObject();
        foreach (var a in plan.Layers.Select(l => l.Attention).OfType<AttentionDescription>())
        {
            var entry = new JsonObject
            {
                ["heads"] = a.Heads,
                ["key_value_heads"] = a.KeyValueHeads,
                ["head_dim"] = a.HeadDim,
                ["logit_scale"] = folded ? 1.0 / Math.Sqrt(a.HeadDim) : a.LogitScale,
                ["positions"] = a.Positions.ToString(),
                ["qk_norm"] = a.QkNorm,
                ["causal"] = plan[a.Name].AttributeAs<AttentionAttribute>().Causal,
                ["query_projection"] = queryProjections.GetValueOrDefault(a.Name),
            };
            if (folded) entry["folded_logit_scale"] = a.LogitScale;
            attention[a.Name] = entry;
        }
        var stacks = new JsonObject();
        foreach (var stack in plan.Stacks)
        {
            stacks[stack.Name] = new JsonObject
            {
                ["depth"] = stack.Depth, ["base_depth"] = stack.BaseDepth, ["residual_multiplier"] = stack.ResidualMultiplier,
            };
        }
        var h = plan.Rules.Hyperparameters;
        var map = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [Format] = FormatVersion,
            [Folded] = folded ? "true" : "false",
            [Model] = plan.ModelName,
            [Recipe] = JsonSerializer.Serialize(recipe, SparseDslJsonContext.Default.ModelRecipe),
            [Parameterization] = plan.Rules.Parameterization.ToString(),
            [Width] = plan.Width.ToString(c),
            [BaseWidth] = plan.BaseWidth.ToString(c),
            [Hyperparameters] = new JsonObject
            {
                ["init_std"] = h.InitStd, ["learning_rate"] = h.LearningRate, ["input_alpha"] = h.InputAlpha, ["output_alpha"] = h.OutputAlpha,
                ["router_alpha"] = h.RouterAlpha, // used only by expert banks' routers; 1 by default
            }.ToJsonString(),
            [Densities] = densities.ToJsonString(),
            [Multipliers] = (folded ? left : multipliers).ToJsonString(),
            [Attention] = attention.ToJsonString(),
            [Tied] = folded ? "{}" : ties.ToJsonString(),
            [NormEpsilon] = ScaledNorm.Epsilon.ToString("R", c),
            [DepthRule] = plan.DepthRule.Token(),
            [ResidualStacks] = stacks.ToJsonString(),
            [SparseTensors] = sparseTensors.ToJsonString(),
        };
        if (folded)
        {
            map[FoldedMultipliers] = multipliers.ToJsonString();
            map[FoldedTies] = ties.ToJsonString();
        }
        if (plan.Vocabulary is int vocabulary) map[Vocabulary] = vocabulary.ToString(c);
        if (tokenizer is not null) map[Tokenizer] = tokenizer;
        return map;
    }
}
