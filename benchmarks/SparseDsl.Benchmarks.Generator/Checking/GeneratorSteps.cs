using System.Reflection;
using SparseDsl.Generators;

namespace SparseDsl.Benchmarks.Generator.Checking;

/// <summary>
/// The tracking names the generator gives its own steps. Read from <see cref="SparseDslGenerator.Steps"/> so a step
/// added there is checked here without a change.
/// </summary>
internal static class GeneratorSteps
{
    /// <summary>Every name declared in <see cref="SparseDslGenerator.Steps"/>.</summary>
    public static IReadOnlySet<string> Names { get; } = typeof(SparseDslGenerator.Steps)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral && f.FieldType == typeof(string))
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToHashSet(StringComparer.Ordinal);
}
