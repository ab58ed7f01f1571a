namespace SparseDsl.Generators.KindChecks;

/// <summary><c>[Linear]</c>: a dense projection from In to Out.</summary>
internal sealed class LinearKind : KindDescription
{
    public override string AttributeName => "SparseDsl.LinearAttribute";

    public override string[] Replaces => new[] { "TorchSharp.Modules.Linear" };

    public override string Suggest(string rawType, string[] literalArguments) => LinearArguments.Suggest("Linear", literalArguments);

    public override KindShape Read(KindArguments arguments) => LinearArguments.Read(arguments, sparsity: null);
}
