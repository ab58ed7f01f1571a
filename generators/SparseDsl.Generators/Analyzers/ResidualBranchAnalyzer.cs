using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace SparseDsl.Generators.Analyzers;

/// <summary>
/// SDSL108: a block of a <c>[Repeat]</c> stack (or a block nested in one) adds a branch to the residual stream with a
/// plain <c>x + Layer.call(…)</c> or <c>x.add(…)</c>, where a depth rule needs <c>Residual.Add(this, x, …)</c> to
/// multiply the branch by m_L^(−α). A branch is an operand that calls one of the block's DSL members; the stream is the
/// other operand, a parameter or local. Branches computed into a local first are not followed.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ResidualBranchAnalyzer : SparseDslAnalyzer
{
    private const string RepeatAttributeName = "SparseDsl.RepeatAttribute";
    private const string BlockAttributeName = "SparseDsl.BlockAttribute";

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.ResidualWithoutHelper);

    /// <inheritdoc />
    private protected override void Register(CompilationStartAnalysisContext context, KnownTypes types)
    {
        var tensor = context.Compilation.GetTypeByMetadataName("TorchSharp.torch+Tensor");
        if (tensor is null) return;
        var compilation = context.Compilation;
        // Found once per compilation, and only when an add is seen in a block.
        var repeated = new System.Lazy<ImmutableHashSet<INamedTypeSymbol>>(() => RepeatedBlocks(compilation));
        context.RegisterOperationAction(c => Analyze(c, types, tensor, repeated), OperationKind.Binary, OperationKind.Invocation);
    }

    private static void Analyze(OperationAnalysisContext context, KnownTypes types, INamedTypeSymbol tensor, System.Lazy<ImmutableHashSet<INamedTypeSymbol>> repeated)
    {
        IOperation left, right;
        switch (context.Operation)
        {
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.Add } binary when SymbolEqualityComparer.Default.Equals(binary.Type, tensor):
                (left, right) = (binary.LeftOperand, binary.RightOperand);
                break;
            case IInvocationOperation { TargetMethod.Name: "add" or "add_", Instance: { } instance } invocation
                when SymbolEqualityComparer.Default.Equals(instance.Type, tensor) && invocation.Arguments.Length > 0:
                (left, right) = (instance, invocation.Arguments[0].Value);
                break;
            default:
                return;
        }
        var block = context.ContainingSymbol.ContainingType;
        if (block is null || !types.IsModel(block) || !repeated.Value.Contains(block.OriginalDefinition)) return;
        foreach (var (stream, branch) in new[] { (left, right), (right, left) })
        {
            if (StreamName(stream) is not { } streamName || DslCall(branch, block) is not { } member) continue;
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.ResidualWithoutHelper, context.Operation.Syntax.GetLocation(),
                member, streamName, block.Name));
            return;
        }
    }

    // The stream: a parameter or local, as it is in `x + Attention.call(x)`.
    private static string? StreamName(IOperation operation)
    {
        while (operation is IConversionOperation conversion) operation = conversion.Operand;
        return operation switch
        {
            IParameterReferenceOperation p => p.Parameter.Name,
            ILocalReferenceOperation l => l.Local.Name,
            _ => null,
        };
    }

    // The first DSL member of the block called anywhere in the operand (`Attention.call(Norm.call(x))` → Attention).
    private static string? DslCall(IOperation operation, INamedTypeSymbol block)
    {
        foreach (var node in operation.DescendantsAndSelf())
        {
            if (node is not IInvocationOperation { TargetMethod.Name: "call" or "forward" } invocation) continue;
            var receiver = invocation.Instance;
            while (receiver is IConversionOperation conversion) receiver = conversion.Operand;
            if (receiver is IPropertyReferenceOperation { Property: var property }
                && SymbolEqualityComparer.Default.Equals(property.ContainingType.OriginalDefinition, block.OriginalDefinition)
                && property.GetAttributes().Any(a => a.AttributeClass is { } c && (Parsing.ModelParser.LayerTypeOf(c) is not null || c.ToDisplayString() == BlockAttributeName)))
                return property.Name;
        }
        return null;
    }

    /// <summary>The element types of every [Repeat] stack declared in this compilation, and every [Block] nested in them.</summary>
    private static ImmutableHashSet<INamedTypeSymbol> RepeatedBlocks(Compilation compilation)
    {
        var found = new HashSet<INamedTypeSymbol>(SymbolEqualityComparer.Default);
        var pending = new Stack<INamedTypeSymbol>();
        foreach (var type in Types(compilation.Assembly.GlobalNamespace))
            foreach (var child in Children(type, repeatedOnly: true))
                if (found.Add(child)) pending.Push(child);
        while (pending.Count > 0)
            foreach (var child in Children(pending.Pop(), repeatedOnly: false))
                if (found.Add(child)) pending.Push(child);
        return found.ToImmutableHashSet<INamedTypeSymbol>(SymbolEqualityComparer.Default);
    }

    private static IEnumerable<INamedTypeSymbol> Children(INamedTypeSymbol type, bool repeatedOnly)
    {
        foreach (var property in type.GetMembers().OfType<IPropertySymbol>())
        {
            foreach (var attribute in property.GetAttributes())
            {
                string? name = attribute.AttributeClass?.ToDisplayString();
                if (name == RepeatAttributeName && property.Type is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } list
                    && list.TypeArguments[0] is INamedTypeSymbol element)
                    yield return element.OriginalDefinition;
                else if (!repeatedOnly && name == BlockAttributeName && property.Type is INamedTypeSymbol child)
                    yield return child.OriginalDefinition;
            }
        }
    }

    private static IEnumerable<INamedTypeSymbol> Types(INamespaceSymbol ns)
    {
        foreach (var type in ns.GetTypeMembers())
        {
            yield return type;
            foreach (var nested in type.GetTypeMembers()) yield return nested;
        }
        foreach (var child in ns.GetNamespaceMembers())
            foreach (var type in Types(child)) yield return type;
    }
}
