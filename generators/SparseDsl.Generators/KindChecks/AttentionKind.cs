using System.Globalization;

namespace SparseDsl.Generators.KindChecks;

/// <summary><c>[Attention]</c>: logits scaled by the rules, positions, grouped-query heads and QK-norm.</summary>
internal sealed class AttentionKind : KindDescription
{
    public override string AttributeName => "SparseDsl.AttentionAttribute";

    public override string[] Replaces => new[] { "TorchSharp.Modules.MultiheadAttention" };

    public override string Suggest(string rawType, string[] literalArguments) => "Attention";

    public override KindShape Read(KindArguments arguments)
    {
        var dimension = arguments.Dimension("Dim", SparseDsl.AttributeDefaults.Dimension);
        if (arguments.Has("KeyValueDim")) arguments.Dimension("KeyValueDim", SparseDsl.AttributeDefaults.Dimension);
        int headDim = arguments.AtLeast("HeadDim", SparseDsl.AttributeDefaults.HeadDim, 1, "the head dimension must be positive");
        int positions = arguments.Enum("Positions", 0, out bool defined);
        if (!defined) arguments.OutOfRange($"Positions = {positions}", "it is not a PositionEncoding member");
        // SparseDsl.PositionEncoding: 0 Alibi, 1 Rope, 2 None.
        double theta = arguments.Double("RopeTheta", SparseDsl.AttributeDefaults.RopeTheta);
        if (positions == 1 && headDim > 0 && (headDim % 2 != 0 || !(theta > 1) || double.IsInfinity(theta)))
            arguments.OutOfRange($"HeadDim = {headDim.ToString(CultureInfo.InvariantCulture)}, RopeTheta = {theta.ToString("R", CultureInfo.InvariantCulture)}",
                "RoPE rotates pairs of coordinates, so it needs an even head dimension and a frequency base above 1");
        return new(dimension, dimension);
    }
}
