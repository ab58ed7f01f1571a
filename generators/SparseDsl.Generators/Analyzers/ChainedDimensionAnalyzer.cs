using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using SparseDsl.Generators.Specs;

namespace SparseDsl.Generators.Analyzers;

/// <summary>
/// SDSL107: a DSL layer called directly on another layer's output (<c>B.call(A.call(x))</c>, optionally through
/// element-wise activations such as <c>relu</c> or <c>gelu</c>) must read the dimension the other writes. The check
/// compares the declared dimension expressions, so it holds at every width.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ChainedDimensionAnalyzer : SparseDslAnalyzer
{
    // Element-wise operations keep the last dimension, so a chain may pass through them.
    private static readonly HashSet<string> ShapePreserving = new(StringComparer.Ordinal)
    {
        "relu", "relu_", "gelu", "silu", "tanh", "sigmoid", "dropout", "softplus", "mish", "elu", "leaky_relu", "relu6", "hardswish", "selu",
    };

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.ChainedDimensionMismatch);

    /// <inheritdoc />
    private protected override void Register(CompilationStartAnalysisContext context, KnownTypes types)
    {
        var models = new ConcurrentDictionary<INamedTypeSymbol, ModelSpec?>(SymbolEqualityComparer.Default);
        context.RegisterOperationAction(c => Analyze(c, types, models), OperationKind.Invocation);
    }

    private static void Analyze(OperationAnalysisContext context, KnownTypes types, ConcurrentDictionary<INamedTypeSymbol, ModelSpec?> models)
    {
        var outer = (IInvocationOperation)context.Operation;
        if (LayerCalled(outer) is not { } reader) return;
        var type = reader.ContainingType;
        if (!types.IsModel(type)) return;
        var argument = outer.Arguments.FirstOrDefault()?.Value;
        if (argument is null || Source(argument) is not { } writer || !SymbolEqualityComparer.Default.Equals(writer.ContainingType, type)) return;

        var model = models.GetOrAdd(type, t => types.ParseModel(t, context.CancellationToken));
        var readerSpec = model?.Layers.FirstOrDefault(l => l.PropertyName == reader.Name);
        var writerSpec = model?.Layers.FirstOrDefault(l => l.PropertyName == writer.Name);
        // Child blocks, attention and free tensors have no single declared In/Out to compare (their kinds do not chain).
        if (readerSpec is not { Chains: true, In: { } input } || writerSpec is not { Chains: true, Out: { } output } || input == output) return;
        context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.ChainedDimensionMismatch, outer.Syntax.GetLocation(),
            reader.Name, input.ToString(), writer.Name, output.ToString()));
    }

    /// <summary>The DSL layer property whose output <paramref name="value"/> is, through element-wise ops; else null.</summary>
    private static IPropertySymbol? Source(IOperation value)
    {
        while (true)
        {
            while (value is IConversionOperation conversion) value = conversion.Operand;
            if (value is not IInvocationOperation invocation) return null;
            if (LayerCalled(invocation) is { } layer) return layer;
            if (!ShapePreserving.Contains(invocation.TargetMethod.Name)) return null;
            var next = invocation.Instance ?? invocation.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == 0)?.Value;
            if (next is null) return null;
            value = next;
        }
    }

    /// <summary>The layer property of <c>Layer.call(x)</c> / <c>Layer.forward(x)</c>, when the receiver is a DSL layer property.</summary>
    private static IPropertySymbol? LayerCalled(IInvocationOperation invocation)
    {
        if (invocation.TargetMethod.Name is not ("call" or "forward")) return null;
        var receiver = invocation.Instance;
        while (receiver is IConversionOperation conversion) receiver = conversion.Operand;
        return receiver is IPropertyReferenceOperation { Property: var property } &&
               property.Type.AllInterfaces.Any(i => i.ToDisplayString() == "SparseDsl.IScaledLayer")
            ? property.OriginalDefinition
            : null;
    }
}
