using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using SparseDsl.Generators.Model;

namespace SparseDsl.Generators.Parsing;

/// <summary>
/// Reads [SparsityAccelerated] on a block: checks its values and finds the MLP's hidden layer, the projections that
/// produce it (expanding) and those that read it (contracting). Reports SDSL013 when the block has no such shape.
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
            Fail("it goes on a [Block] MLP class, not on a [Width] model; declare the MLP as a block and place it in the model");
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

        var linear = layers.Where(l => l.IsProjection && l.In is not null && l.Out is not null).ToList();
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
                    ? "no dimension other than width is written by one projection and read by another; set Hidden to the MLP's hidden dimension"
                    : $"it could be any of {string.Join(", ", candidates)}; set Hidden to the MLP's hidden dimension");
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
