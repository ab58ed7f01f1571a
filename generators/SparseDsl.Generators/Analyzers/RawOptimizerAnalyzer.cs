using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace SparseDsl.Generators.Analyzers;

/// <summary>
/// SDSL102: <c>torch.optim.Adam/AdamW/SGD/…(model.parameters(), …)</c> on a SparseDsl model. One learning rate for every
/// parameter silently undoes μP's per-layer LR scaling — the most common μP mistake.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class RawOptimizerAnalyzer : SparseDslAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.RawOptimizer);

    /// <inheritdoc />
    private protected override void Register(CompilationStartAnalysisContext context, KnownTypes types)
    {
        if (types.TorchOptim is null) return;
        context.RegisterOperationAction(c => Analyze(c, types), OperationKind.Invocation);
    }

    private static void Analyze(OperationAnalysisContext context, KnownTypes types)
    {
        var invocation = (IInvocationOperation)context.Operation;
        if (!SymbolEqualityComparer.Default.Equals(invocation.TargetMethod.ContainingType, types.TorchOptim)) return;
        var first = invocation.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == 0)?.Value;
        while (first is IConversionOperation conversion) first = conversion.Operand;
        if (first is not IInvocationOperation { TargetMethod.Name: "parameters" or "named_parameters" } parameters) return;
        if (parameters.Instance is null || !types.IsModel(parameters.Instance.Type)) return;
        context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.RawOptimizer, invocation.Syntax.GetLocation(),
            "torch.optim." + invocation.TargetMethod.Name, parameters.Instance.Syntax.ToString()));
    }
}
