namespace SparseDsl.Generators.KindChecks;

/// <summary><c>[SparseLinear]</c>: a projection with a static random mask.</summary>
internal sealed class SparseLinearKind : KindDescription
{
    public override string AttributeName => "SparseDsl.SparseLinearAttribute";

    public override KindShape Read(KindArguments arguments) => LinearArguments.Read(arguments, arguments.Sparsity());
}
