namespace SparseDsl.Generators.KindChecks;

/// <summary><c>[Readout]</c>: width to a finite number of outputs, optionally tied to an embedding's table.</summary>
internal sealed class ReadoutKind : KindDescription
{
    public override string AttributeName => "SparseDsl.ReadoutAttribute";

    public override KindShape Read(KindArguments arguments)
    {
        var input = arguments.Dimension("In", SparseDsl.AttributeDefaults.Dimension);
        // A readout's Out has no sensible default: an unset one is reported like any other empty expression.
        var output = arguments.FiniteDimension("Out", "");
        string? tied = arguments.String("TiedTo", null);
        if (tied is not null && (arguments.Bool("Bias", false) || arguments.Bool("ZeroInit", false)))
            arguments.Report(DiagnosticDescriptors.BadTie, arguments.Member, tied, "a tied readout reuses the embedding's table, so it takes no Bias or ZeroInit");
        return new(input, output) { Chains = true, Reference = tied };
    }
}
