using Microsoft.CodeAnalysis.Diagnostics;

namespace SparseDsl.Generators.Analyzers;

/// <summary>
/// What every SparseDsl analyzer does first: skip generated code, run concurrently, and register its actions only in
/// compilations that reference SparseDsl, with the known types resolved once per compilation.
/// </summary>
public abstract class SparseDslAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public sealed override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            var types = KnownTypes.For(start.Compilation);
            if (types is not null) Register(start, types);
        });
    }

    /// <summary>Registers this analyzer's actions for one compilation that references SparseDsl.</summary>
    private protected abstract void Register(CompilationStartAnalysisContext context, KnownTypes types);
}
