using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using SparseDsl.Generators.Specs;

namespace SparseDsl.Generators.Parsing;

/// <summary>
/// Reads [SparsityAccelerated] on a block: checks its values and finds the MLP's hidden layer, the projections that
/// produce it (expanding) and those that read it (contracting); or, with Heads = true, the block's attention, the
/// projections declared before it that produce its queries, keys and values, and those declared after it that read its
/// output. Reports SDSL013 when the block has no such shape.
/// </summary>
internal static class SatParser
{
    public const string AttributeName = "SparseDsl.SparsityAcceleratedAttribute";

    public static SatSpec? Parse(INamedTypeSymbol type, bool isBlock, IReadOnlyList<LayerSpec> layers, Location nameLocation, List<DiagnosticInfo> diagnostics)
    {
        var attribute = type.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == AttributeName);
        if (attribute is null) return null;
        var location = attribute.ApplicationSyntaxReference?.GetSyntax().GetLocation() ?? nameLocation;
        void Fail(string problem) => diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BadSparsityAcceleratedBlock, location, type.Name, problem));

        if (!isBlock)
        {
            Fail("it goes on a [Block] MLP or attention class, not on a [Width] model; declare the MLP or attention as a block and place it in the model");
            return null;
        }
        var named = attribute.NamedArguments.ToDictionary(a => a.Key, a => a.Value.Value);
        double rate = Double(named, "OmissionRate", SparseDsl.AttributeDefaults.OmissionRate), hold = Double(named, "HoldFraction", SparseDsl.AttributeDefaults.HoldFraction),
            dense = Double(named, "DenseFraction", SparseDsl.AttributeDefaults.DenseFraction);
        int rungs = Int(named, "Rungs", SparseDsl.AttributeDefaults.Rungs), every = Int(named, "ReestimateEvery", SparseDsl.AttributeDefaults.ReestimateEvery);
        string? range =
            !(rate >= 0 && rate < 1) ? $"OmissionRate = {Text(rate)} must be in [0, 1): at least one neuron is always kept"
            : rungs < 1 ? $"Rungs = {Text(rungs)} must be at least 1"
            : !(hold > 0 && hold <= 1) ? $"HoldFraction = {Text(hold)} must be in (0, 1]"
            : !(dense >= 0 && dense < 1) ? $"DenseFraction = {Text(dense)} must be in [0, 1)"
            : hold + dense > 1 + 1e-12 ? $"HoldFraction ({Text(hold)}) and DenseFraction ({Text(dense)}) add up to more than the whole run"
            : every < 1 ? $"ReestimateEvery = {Text(every)} must be at least 1"
            : UndefinedEnum(attribute);
        if (range is not null)
        {
            Fail(range);
            return null;
        }

        if (named.TryGetValue("Heads", out var h0) && h0 is true)
            return ParseHeads(type, layers, attribute, named, Fail);

        var linear = layers.Where(l => l.IsProjection && l.In is not null && l.Out is not null).ToList();
        string headsHint = layers.Any(IsAttention) ? "; to omit the heads of this block's attention, write [SparsityAccelerated(Heads = true)]" : "";
        DimensionSpec? hidden;
        if (named.TryGetValue("Hidden", out var h) && h is string text)
        {
            if (!DimensionParser.TryParse(text, out var parsed, out string error))
            {
                Fail($"Hidden = \"{text}\" does not parse: {error}");
                return null;
            }
            hidden = parsed;
        }
        else
        {
            // The hidden layer is what one projection writes and another reads, other than the residual width
            // itself (an MLP's down projection writes width and its up projection reads it, too).
            var width = DimensionSpec.OfWidth(1, 1);
            var candidates = linear.Select(l => l.Out!).Distinct().Where(d => !d.Equals(width) && linear.Any(l => l.In!.Equals(d))).ToList();
            if (linear.Count == 0)
            {
                Fail("the block declares no [Linear] or [SparseLinear] projection");
                return null;
            }
            if (candidates.Count != 1)
            {
                Fail(candidates.Count == 0
                    ? "no dimension other than width is written by one projection and read by another; set Hidden to the MLP's hidden dimension" + headsHint
                    : $"it could be any of {string.Join(", ", candidates)}; set Hidden to the MLP's hidden dimension" + headsHint);
                return null;
            }
            hidden = candidates[0];
        }

        var expanding = linear.Where(l => l.Out!.Equals(hidden)).ToList();
        var contracting = linear.Where(l => l.In!.Equals(hidden)).ToList();
        string? shape =
            expanding.Count == 0 ? $"no projection writes the hidden dimension {hidden}"
            : contracting.Count == 0 ? $"no projection reads the hidden dimension {hidden}, so omitted neurons could not be dropped from the output"
            : expanding.FirstOrDefault(l => l.In!.Equals(hidden)) is { } square ? $"'{square.PropertyName}' both reads and writes the hidden dimension {hidden}; set Hidden to the MLP's hidden dimension"
            : expanding.Select(l => l.In).Distinct().Count() > 1 ? $"the projections that write {hidden} read different inputs ({string.Join(", ", expanding.Select(l => $"'{l.PropertyName}' {l.In}"))}); SAT scores neurons on one input"
            : layers.FirstOrDefault(l => !l.IsChild && !l.IsProjection && (Equals(l.In, hidden) || Equals(l.Out, hidden))) is { } other
                ? $"'{other.PropertyName}' ({other.Kind}) works on the hidden dimension {hidden}, and only linear projections can drop omitted neurons"
            : null;
        if (shape is not null)
        {
            Fail(shape);
            return null;
        }

        return new SatSpec(AttributeInitializer.Assignments(attribute, "Hidden"),
            expanding.Select(l => l.StateName).ToEquatableArray(),
            contracting.Select(l => l.StateName).ToEquatableArray());
    }

    // Heads: the block's one [Attention]; its inputs are the projections declared before it that write its query or
    // key/value dimension, its outputs those declared after it that read its query dimension. Order tells them apart,
    // because without grouped-query attention all four are width → width.
    private static SatSpec? ParseHeads(INamedTypeSymbol type, IReadOnlyList<LayerSpec> layers, AttributeData attribute, Dictionary<string, object?> named, System.Action<string> fail)
    {
        if (named.ContainsKey("Hidden"))
        {
            fail("Hidden names an MLP's hidden layer, but with Heads = true the units are the attention's heads; remove Hidden");
            return null;
        }
        var attentions = layers.Where(IsAttention).ToList();
        if (attentions.Count != 1)
        {
            fail(attentions.Count == 0
                ? "Heads = true omits attention heads, but the block has no [Attention] layer; put the attribute on the attention block (or remove Heads = true to omit MLP neurons)"
                : $"Heads = true omits the heads of one attention, but the block has {attentions.Count} ({string.Join(", ", attentions.Select(a => $"'{a.PropertyName}'"))}); give each its own block");
            return null;
        }
        var attention = attentions[0];
        int position = layers.ToList().IndexOf(attention);
        var queries = attention.In!;
        var keysValues = KeyValueDimension(type, attention.PropertyName) ?? queries;
        bool IsLinear(LayerSpec l) => l.IsProjection && l.In is not null && l.Out is not null;
        var inputs = layers.Take(position).Where(l => IsLinear(l) && (l.Out!.Equals(queries) || l.Out.Equals(keysValues))).ToList();
        var outputs = layers.Skip(position + 1).Where(l => IsLinear(l) && l.In!.Equals(queries)).ToList();
        string? shape =
            !inputs.Any(l => l.Out!.Equals(queries)) ? $"no projection declared before '{attention.PropertyName}' writes its query dimension {queries}; declare the query, key and value projections before the attention and the output projection after it"
            : !inputs.Any(l => l.Out!.Equals(keysValues)) ? $"no projection declared before '{attention.PropertyName}' writes its key/value dimension {keysValues}; declare the key and value projections before the attention"
            : outputs.Count == 0 ? $"no projection declared after '{attention.PropertyName}' reads its dimension {queries}, so omitted heads could not be dropped from the output; declare the output projection after the attention"
            : inputs.Select(l => l.In).Distinct().Count() > 1 ? $"the projections that feed '{attention.PropertyName}' read different inputs ({string.Join(", ", inputs.Select(l => $"'{l.PropertyName}' {l.In}"))}); SAT scores heads on one input"
            : null;
        if (shape is not null)
        {
            fail(shape);
            return null;
        }
        return new SatSpec(AttributeInitializer.Assignments(attribute, "Hidden"),
            inputs.Select(l => l.StateName).ToEquatableArray(),
            outputs.Select(l => l.StateName).ToEquatableArray())
        { Attention = attention.StateName };
    }

    private static bool IsAttention(LayerSpec layer) => !layer.IsChild && layer.Kind == "Attention";

    // [Attention(KeyValueDim = "...")] as a dimension, or null when it is not set (the queries' dimension) or does not
    // parse (the attention kind reports that).
    private static DimensionSpec? KeyValueDimension(INamedTypeSymbol type, string property)
    {
        var attribute = type.GetMembers(property).SelectMany(m => m.GetAttributes())
            .FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == "SparseDsl.AttentionAttribute");
        var value = attribute?.NamedArguments.FirstOrDefault(a => a.Key == "KeyValueDim").Value.Value as string;
        return value is not null && DimensionParser.TryParse(value, out var parsed, out _) ? parsed : null;
    }

    // A cast such as (NeuronImportance)42 compiles, but the runtime rejects values that name no member (SparsityAcceleration.Validate).
    private static string? UndefinedEnum(AttributeData attribute) => attribute.NamedArguments
        .Where(a => a.Value.Type is INamedTypeSymbol { TypeKind: TypeKind.Enum } && a.Value.Value is not null
                    && !a.Value.Type.GetMembers().OfType<IFieldSymbol>().Any(f => f.HasConstantValue && Equals(f.ConstantValue, a.Value.Value)))
        .Select(a => $"{a.Key} = {System.Convert.ToString(a.Value.Value, CultureInfo.InvariantCulture)} is not a {a.Value.Type!.Name} member")
        .FirstOrDefault();

    // The fallbacks are SparseDsl.AttributeDefaults, the attribute's own defaults, for the compile-time range checks only.
    private static double Double(Dictionary<string, object?> named, string name, double fallback) =>
        named.TryGetValue(name, out var v) && v is double d ? d : fallback;

    private static int Int(Dictionary<string, object?> named, string name, int fallback) =>
        named.TryGetValue(name, out var v) && v is int i ? i : fallback;

    private static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
