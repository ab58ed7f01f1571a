using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace SparseDsl.Generators.Specs;

/// <summary>A diagnostic kept as plain data (no <see cref="Location"/> or symbol) so the pipeline stays cacheable.</summary>
internal sealed record DiagnosticInfo(string Id, EquatableArray<string> MessageArgs, string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, Location? location, params string[] args)
    {
        var span = location?.GetLineSpan();
        return new DiagnosticInfo(
            descriptor.Id,
            args.ToEquatableArray(),
            span?.Path ?? "",
            location?.SourceSpan ?? default,
            span?.Span ?? default);
    }

    public Diagnostic ToDiagnostic()
    {
        var location = FilePath.Length == 0 ? Location.None : Location.Create(FilePath, Span, LineSpan);
        return Diagnostic.Create(DiagnosticDescriptors.ById(Id), location, System.Linq.Enumerable.ToArray(System.Linq.Enumerable.Cast<object>(MessageArgs)));
    }
}
