namespace SparseDsl.Generators.KindChecks;

/// <summary><c>[Norm]</c>: LayerNorm or RMSNorm over a dimension.</summary>
internal sealed class NormalizationKind : KindDescription
{
    public override string AttributeName => "SparseDsl.NormAttribute";

    public override string[] Replaces => new[] { "TorchSharp.Modules.LayerNorm", "TorchSharp.Modules.RMSNorm" };

    public override string Suggest(string rawType, string[] literalArguments) =>
        rawType.EndsWith("RMSNorm") ? "Norm(Kind = global::SparseDsl.NormKind.RmsNorm)" : "Norm";

    public override KindShape Read(KindArguments arguments)
    {
        var dimension = arguments.Dimension("Dim", SparseDsl.AttributeDefaults.Dimension);
        int kind = arguments.Enum("Kind", 0, out bool defined);
        if (!defined) arguments.OutOfRange($"Kind = {kind}", "it is not a NormKind member");
        // SparseDsl.NormKind: 0 LayerNorm, 1 RmsNorm.
        if (kind == 1 && arguments.Bool("Bias", false))
            arguments.OutOfRange("Bias = true", "RMSNorm has no bias; use NormKind.LayerNorm or drop the bias");
        return new(dimension, dimension) { Chains = true };
    }
}
