using System;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
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
        context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.UnscaledLayer, member.Locations.FirstOrDefault(),
            member.Name, raw.Name, member.ContainingType.Name, raw.Suggestion));
    }

    private static void AnalyzeLocal(OperationAnalysisContext context, KnownTypes types)
    {
        var declarator = (IVariableDeclaratorOperation)context.Operation;
        var containingType = context.ContainingSymbol.ContainingType;
        if (!types.IsModel(containingType)) return;
        if (types.RawLayerOf(declarator.Symbol.Type) is not { } raw) return;
        context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.UnscaledLayer, declarator.Syntax.GetLocation(),
            declarator.Symbol.Name, raw.Name, containingType.Name, raw.Suggestion));
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
