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
        Multipliers = "multipliers", Attention = "attention", Tied = "tied", Tokenizer = "tokenizer", NormEpsilon = "norm_epsilon";

    /// <summary>The keys this exporter writes; extra metadata may not use them.</summary>
    public static IReadOnlySet<string> Reserved { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        Format, Folded, Model, Recipe, Parameterization, Width, BaseWidth, Vocabulary, Hyperparameters, Densities, Multipliers, Attention, Tied, Tokenizer, NormEpsilon,
    };

    /// <summary>
    /// The metadata of <paramref name="plan"/>. <paramref name="queryProjections"/> names each attention's query
    /// projection (where the folded export put its logit scale); <paramref name="folded"/> says whether the multipliers
    /// are already in the weights.
    /// </summary>
    internal static Dictionary<string, string> Of(ModelPlan plan, ModelRecipe recipe, bool folded, string? tokenizer,
        IReadOnlyDictionary<string, string> queryProjections)
    {
        var c = CultureInfo.InvariantCulture;
        var rows = plan.DescribeParameters();
        var multipliers = new JsonObject();
        foreach (var row in rows) multipliers[row.Name] = row.ForwardMultiplier;
        var densities = new JsonObject();
        foreach (var layer in plan.Layers.Where(l => l.IsMasked)) densities[layer.Name] = layer.Density;
        var ties = new JsonObject();
        foreach (var row in rows.Where(r => r.TiedTo is not null)) ties[row.Name] = row.TiedTo;
        var attention = new JsonObject();
        foreach (var a in plan.Layers.Select(l => l.Attention).OfType<AttentionDescription>())
        {
            attention[a.Name] = new JsonObject
            {
                ["heads"] = a.Heads,
                ["key_value_heads"] = a.KeyValueHeads,
                ["head_dim"] = a.HeadDim,
                ["logit_scale"] = a.LogitScale,
                ["positions"] = a.Positions.ToString(),
                ["qk_norm"] = a.QkNorm,
                ["causal"] = plan[a.Name].AttributeAs<AttentionAttribute>().Causal,
                ["query_projection"] = queryProjections.GetValueOrDefault(a.Name),
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
            }.ToJsonString(),
            [Densities] = densities.ToJsonString(),
            [Multipliers] = multipliers.ToJsonString(),
            [Attention] = attention.ToJsonString(),
            [Tied] = ties.ToJsonString(),
            [NormEpsilon] = ScaledNorm.Epsilon.ToString("R", c),
        };
        if (plan.Vocabulary is int vocabulary) map[Vocabulary] = vocabulary.ToString(c);
        if (tokenizer is not null) map[Tokenizer] = tokenizer;
        return map;
    }
}
