using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using SparseDsl.Generators.Specs;
using SparseDsl.Generators.Parsing;

namespace SparseDsl.Generators.KindChecks;

/// <summary>
/// The named arguments of one layer attribute, read with the defaults the caller passes (from
/// <c>SparseDsl.AttributeDefaults</c>), and a place to report what is wrong with them.
/// </summary>
internal sealed class KindArguments
{
    private readonly Dictionary<string, TypedConstant> named;
    private readonly List<DiagnosticInfo> diagnostics;
    private readonly int errorsBefore;

    public KindArguments(string member, Location? location, IEnumerable<KeyValuePair<string, TypedConstant>> named, List<DiagnosticInfo> diagnostics)
    {
        Member = member;
        Location = location;
        this.named = named.Where(a => a.Value.Kind != TypedConstantKind.Error).ToDictionary(a => a.Key, a => a.Value);
        this.diagnostics = diagnostics;
        errorsBefore = diagnostics.Count;
    }

    /// <summary>The property the attribute is on.</summary>
    public string Member { get; }

    /// <summary>The attribute's location, for diagnostics.</summary>
    public Location? Location { get; }

    /// <summary>Whether anything was reported since these arguments were read.</summary>
    public bool Failed => diagnostics.Count > errorsBefore;

    /// <summary>Whether the user set <paramref name="name"/> to something other than null (an explicit null is the unset default of a <c>string?</c> option).</summary>
    public bool Has(string name) => named.TryGetValue(name, out var v) && !v.IsNull;

    public string? String(string name, string? fallback) => named.TryGetValue(name, out var v) ? v.Value as string : fallback;

    public int Int(string name, int fallback) => named.TryGetValue(name, out var v) && v.Value is int i ? i : fallback;

    public double Double(string name, double fallback) => named.TryGetValue(name, out var v) && v.Value is double d ? d : fallback;

    public bool Bool(string name, bool fallback) => named.TryGetValue(name, out var v) && v.Value is bool b ? b : fallback;

    /// <summary>An enum argument as its underlying int, and whether that value names a member of its enum.</summary>
    public int Enum(string name, int fallback, out bool defined)
    {
        defined = true;
        if (!named.TryGetValue(name, out var v) || v.Value is not int i) return fallback;
        defined = v.Type is INamedTypeSymbol type && type.GetMembers().OfType<IFieldSymbol>().Any(f => f.HasConstantValue && Equals(f.ConstantValue, i));
        return i;
    }

    /// <summary>A dimension expression; SDSL004 when it does not parse.</summary>
    public DimensionSpec? Dimension(string name, string fallback)
    {
        string text = named.TryGetValue(name, out var v) ? v.Value as string ?? "" : fallback;
        if (DimensionParser.TryParse(text, out var dimension, out string error)) return dimension;
        Report(DiagnosticDescriptors.BadDimension, name, text, Member, error);
        return null;
    }

    /// <summary>A dimension that must not scale with width (a vocabulary, a number of classes); SDSL004 or SDSL007.</summary>
    public DimensionSpec? FiniteDimension(string name, string fallback)
    {
        var dimension = Dimension(name, fallback);
        if (dimension is { ScalesWithWidth: true })
        {
            Report(DiagnosticDescriptors.ReadoutNotFinite, name, Member, String(name, fallback) ?? "");
            return null;
        }
        return dimension;
    }

    /// <summary>A sparsity in [0, 1); SDSL005 outside it.</summary>
    public double Sparsity(string name = "Sparsity")
    {
        double sparsity = Double(name, 0.0);
        if (!(sparsity >= 0 && sparsity < 1))
            Report(DiagnosticDescriptors.SparsityOutOfRange, sparsity.ToString("R", CultureInfo.InvariantCulture), Member);
        return sparsity;
    }

    /// <summary>An int that must be at least <paramref name="minimum"/>; SDSL012 below it.</summary>
    public int AtLeast(string name, int fallback, int minimum, string why)
    {
        int value = Int(name, fallback);
        if (value < minimum) OutOfRange($"{name} = {value.ToString(CultureInfo.InvariantCulture)}", why);
        return value;
    }

    /// <summary>SDSL012: an option's value cannot work.</summary>
    public void OutOfRange(string option, string problem) => Report(DiagnosticDescriptors.LayerOptionOutOfRange, option, Member, problem);

    public void Report(DiagnosticDescriptor descriptor, params string[] args) => diagnostics.Add(DiagnosticInfo.Create(descriptor, Location, args));
}
