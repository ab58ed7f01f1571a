using System;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace SparseDsl.Generators.Analyzers;

/// <summary>
/// SDSL101: raw TorchSharp layers or parameters inside a [Width] model (fields, properties, locals), which get no
/// SμPar scaling. SDSL103: a square root of a head dimension inside a model, i.e. attention scaled by 1/√d_head.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ScalingEscapeAnalyzer : SparseDslAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.UnscaledLayer, DiagnosticDescriptors.HandWrittenAttentionScale);

    /// <inheritdoc />
    private protected override void Register(CompilationStartAnalysisContext context, KnownTypes types)
    {
        context.RegisterSymbolAction(c => AnalyzeMember(c, types), SymbolKind.Field, SymbolKind.Property);
        context.RegisterOperationAction(c => AnalyzeLocal(c, types), OperationKind.VariableDeclarator);
        context.RegisterOperationAction(c => AnalyzeSqrt(c, types), OperationKind.Invocation);
    }

    private static void AnalyzeMember(SymbolAnalysisContext context, KnownTypes types)
    {
        var member = context.Symbol;
        if (member.IsImplicitlyDeclared || !types.IsModel(member.ContainingType)) return;
        var type = member switch { IFieldSymbol f => f.Type, IPropertySymbol p => p.Type, _ => null };
        if (types.RawLayerOf(type) is not { } raw) return;
        if (member is IFieldSymbol { AssociatedSymbol: not null }) return; // backing field of a property reported below
        // A computed property (=> field) holds nothing: the field it returns is the member that is reported.
        if (member is IPropertySymbol property && !member.ContainingType.GetMembers().OfType<IFieldSymbol>()
                .Any(f => SymbolEqualityComparer.Default.Equals(f.AssociatedSymbol, property))) return;
        if (member.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "SparseDsl.UnscaledAttribute")) return; // trained as built, on purpose
        var initializer = member.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(context.CancellationToken) switch
        {
            VariableDeclaratorSyntax v => v.Initializer?.Value,
            PropertyDeclarationSyntax p => p.Initializer?.Value,
            _ => null,
        };
        Report(context.ReportDiagnostic, member.Locations.FirstOrDefault(), member.Name, raw, member.ContainingType, initializer);
    }

    private static void AnalyzeLocal(OperationAnalysisContext context, KnownTypes types)
    {
        var declarator = (IVariableDeclaratorOperation)context.Operation;
        var containingType = context.ContainingSymbol.ContainingType;
        if (!types.IsModel(containingType)) return;
        if (types.RawLayerOf(declarator.Symbol.Type) is not { } raw) return;
        Report(context.ReportDiagnostic, declarator.Syntax.GetLocation(), declarator.Symbol.Name, raw, containingType,
            (declarator.Syntax as VariableDeclaratorSyntax)?.Initializer?.Value);
    }

    // The suggestion travels in the diagnostic's properties, so the code fix writes exactly what the message says.
    private static int? BaseWidth(INamedTypeSymbol model) => model.GetAttributes()
        .FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == "SparseDsl.WidthAttribute")?.NamedArguments
        .Where(a => a.Key == "Base" && a.Value.Value is int).Select(a => (int?)a.Value.Value).FirstOrDefault();

    private static void Report(Action<Diagnostic> report, Location? location, string name, KnownTypes.RawLayer raw, INamedTypeSymbol containing, ExpressionSyntax? initializer)
    {
        // A size equal to the model's base width is the width itself: that is what the DSL writes as "width".
        string baseWidth = (BaseWidth(containing) ?? SparseDsl.AttributeDefaults.BaseWidth).ToString(System.Globalization.CultureInfo.InvariantCulture);
        string attribute = raw.Suggest(LiteralArguments(initializer).Select(a => a == baseWidth ? "width" : a).ToArray());
        var properties = ImmutableDictionary<string, string?>.Empty.Add(AttributeProperty, attribute).Add(LayerTypeProperty, raw.LayerType);
        report(Diagnostic.Create(DiagnosticDescriptors.UnscaledLayer, location, properties, name, raw.Name, containing.Name, attribute));
    }

    /// <summary>Diagnostic property: the DSL attribute SDSL101 suggests, without brackets.</summary>
    public const string AttributeProperty = "SparseDslAttribute";

    /// <summary>Diagnostic property: the layer type of that attribute's properties, fully qualified.</summary>
    public const string LayerTypeProperty = "SparseDslLayerType";

    // The leading literal arguments of a constructor or factory call (nn.Conv2d(3, 64, 4) → 3, 64, 4).
    private static string[] LiteralArguments(ExpressionSyntax? initializer)
    {
        var arguments = initializer switch
        {
            BaseObjectCreationExpressionSyntax creation => creation.ArgumentList?.Arguments,
            InvocationExpressionSyntax invocation => invocation.ArgumentList.Arguments,
            _ => null,
        };
        return arguments is null ? Array.Empty<string>()
            : arguments.Value.TakeWhile(a => a.NameColon is null && a.Expression is LiteralExpressionSyntax { RawKind: (int)SyntaxKind.NumericLiteralExpression })
                .Select(a => ((LiteralExpressionSyntax)a.Expression).Token.ValueText).ToArray();
    }

    private static void AnalyzeSqrt(OperationAnalysisContext context, KnownTypes types)
    {
        var invocation = (IInvocationOperation)context.Operation;
        if (invocation.TargetMethod.Name is not ("Sqrt" or "sqrt" or "rsqrt")) return;
        var containingType = context.ContainingSymbol.ContainingType;
        if (!types.IsModel(containingType)) return;
        var operands = invocation.Arguments.Select(a => a.Value).ToList();
        if (invocation.Instance is not null) operands.Add(invocation.Instance);
        foreach (var operand in operands)
        {
            string? name = ReferencedName(operand);
            if (name is not null && name.IndexOf("head", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.HandWrittenAttentionScale, invocation.Syntax.GetLocation(), name, containingType.Name));
                return;
            }
        }
    }

    private static string? ReferencedName(IOperation operation)
    {
        while (operation is IConversionOperation conversion) operation = conversion.Operand;
        return operation switch
        {
            ILocalReferenceOperation l => l.Local.Name,
            IParameterReferenceOperation p => p.Parameter.Name,
            IFieldReferenceOperation f => f.Field.Name,
            IPropertyReferenceOperation p => p.Property.Name,
            _ => null,
        };
    }
}
