using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace SparseDsl.Generators.Parsing;

/// <summary>
/// Rebuilds an attribute application as a C# object creation, <c>new global::SparseDsl.LinearAttribute { In = "784" }</c>,
/// with exactly the named arguments the user wrote: every other property keeps the attribute's own default, its only
/// definition.
/// </summary>
internal static class AttributeInitializer
{
    public static string Of(AttributeData attribute, params string[] skip)
    {
        string type = attribute.AttributeClass!.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        var assignments = attribute.NamedArguments
            .Where(a => a.Value.Kind != TypedConstantKind.Error && !skip.Contains(a.Key))
            .Select(a => a.Key + " = " + Literal(a.Value))
            .ToList();
        return assignments.Count == 0 ? $"new {type}()" : $"new {type} {{ {string.Join(", ", assignments)} }}";
    }

    /// <summary>The named arguments alone, <c>A = 1, B = "x"</c>.</summary>
    public static string Assignments(AttributeData attribute, params string[] skip) => string.Join(", ", attribute.NamedArguments
        .Where(a => a.Value.Kind != TypedConstantKind.Error && !skip.Contains(a.Key))
        .Select(a => a.Key + " = " + Literal(a.Value)));

    // A value that names a member is written by name; any other (a cast the runtime will reject) as a cast.
    private static string EnumLiteral(ITypeSymbol type, object number)
    {
        string name = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        var member = type.GetMembers().OfType<IFieldSymbol>().FirstOrDefault(f => f.HasConstantValue && Equals(f.ConstantValue, number));
        return member is not null ? $"{name}.{member.Name}" : $"({name})({System.Convert.ToString(number, CultureInfo.InvariantCulture)})";
    }

    // Enums arrive as their underlying values and are emitted as casts; strings are escaped as C# literals.
    private static string Literal(TypedConstant value) => value.Value switch
    {
        null => "null",
        string s => SymbolDisplay.FormatLiteral(s, quote: true),
        bool b => b ? "true" : "false",
        double d => double.IsNaN(d) ? "double.NaN" : double.IsPositiveInfinity(d) ? "double.PositiveInfinity" : double.IsNegativeInfinity(d) ? "double.NegativeInfinity" : d.ToString("R", CultureInfo.InvariantCulture) + "d",
        float f => f.ToString("R", CultureInfo.InvariantCulture) + "f",
        var number when value.Type?.TypeKind == TypeKind.Enum => EnumLiteral(value.Type, number),
        long l => l.ToString(CultureInfo.InvariantCulture) + "L",
        var other => System.Convert.ToString(other, CultureInfo.InvariantCulture) ?? "default",
    };
}
