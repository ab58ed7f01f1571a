using static SparseDsl.Generators.Tests.Fuzz.RandomValues;

namespace SparseDsl.Generators.Tests.Fuzz;

/// <summary>
/// One drawer per layer kind: the attribute with random values, now and then one the kind's compile-time check refuses
/// (generators/SparseDsl.Generators/KindChecks), each recorded with the diagnostic it must raise.
/// </summary>
internal static class RandomLayers
{
    public static DrawnAttribute Any(Random r) => r.Next(8) switch
    {
        0 => Embedding(r),
        1 => Linear(r),
        2 => SparseLinear(r),
        3 => Readout(r),
        4 => Norm(r),
        5 => Attention(r),
        6 => Conv(r),
        _ => Parameter(r),
    };

    public static DrawnAttribute Embedding(Random r)
    {
        var a = new DrawnAttribute(FuzzKind.Embedding, "Embedding", "ScaledEmbedding");
        if (r.OneIn(30)) a.Wrong("SDSL007"); // Vocab unset: 0
        else if (r.OneIn(15)) a.AddWrong($"Vocab = {Text(-r.Next(0, 3))}", "SDSL007");
        else a.Add($"Vocab = {Text(r.Next(1, 300))}");
        r.Dimension(a, "Dim");
        return a;
    }

    public static DrawnAttribute Linear(Random r)
    {
        var a = new DrawnAttribute(FuzzKind.Linear, "Linear", "ScaledLinear");
        r.Dimension(a, "In");
        r.Dimension(a, "Out");
        r.Flag(a, "Bias");
        r.Flag(a, "ZeroInit", setOneIn: 5);
        return a;
    }

    public static DrawnAttribute SparseLinear(Random r)
    {
        var a = new DrawnAttribute(FuzzKind.SparseLinear, "SparseLinear", "ScaledLinear");
        r.Sparsity(a);
        r.Dimension(a, "In");
        r.Dimension(a, "Out");
        r.Flag(a, "Bias", setOneIn: 5);
        return a;
    }

    /// <summary>An untied readout (ties are <see cref="RandomTies"/>): Out must be finite and has no default.</summary>
    public static DrawnAttribute Readout(Random r)
    {
        var a = new DrawnAttribute(FuzzKind.Readout, "Readout", "ScaledLinear");
        r.Dimension(a, "In");
        int pick = r.Next(24);
        if (pick == 0) a.Wrong("SDSL004"); // Out unset: an empty expression
        else if (pick == 1) a.AddWrong($"Out = \"{r.Pick(["", "widht", "10/0"])}\"", "SDSL004");
        else if (pick <= 3) a.AddWrong($"Out = \"{r.Pick(ScalingDims)}\"", "SDSL007");
        else a.Add($"Out = \"{Text(r.Next(1, 500))}\"");
        r.Flag(a, "Bias", setOneIn: 4);
        r.Flag(a, "ZeroInit", setOneIn: 5);
        return a;
    }

    /// <summary>LayerNorm or RMSNorm; RMSNorm has no bias.</summary>
    public static DrawnAttribute Norm(Random r)
    {
        var a = new DrawnAttribute(FuzzKind.Norm, "Norm", "ScaledNorm");
        int kind = r.Next(20);
        bool rms = kind is >= 10 and < 19;
        if (kind == 19) a.AddWrong($"Kind = (NormKind){r.Pick(["2", "5", "(-1)"])}", "SDSL012");
        else if (kind >= 5) a.Add(rms ? "Kind = NormKind.RmsNorm" : "Kind = NormKind.LayerNorm");
        r.Dimension(a, "Dim");
        if (r.Flag(a, "Bias", setOneIn: 3) && rms) a.Wrong("SDSL012");
        return a;
    }

    /// <summary>Attention: a positive head dimension, a defined position encoding, and for RoPE an even head dimension and θ &gt; 1.</summary>
    public static DrawnAttribute Attention(Random r)
    {
        var a = new DrawnAttribute(FuzzKind.Attention, "Attention", "ScaledAttention");
        r.Dimension(a, "Dim", invalidOneIn: 25);
        if (r.OneIn(40)) a.Add("KeyValueDim = null"); // the documented default, written out
        else if (r.OneIn(3)) r.Dimension(a, "KeyValueDim", invalidOneIn: 8);
        int headDim = r.Int(a, "HeadDim", valid: [8, 16, 32, 64, 5, 7], invalid: [0, -1, -64], invalidOneIn: 20) ?? 64;
        int positions = r.Next(24);
        bool rope = positions is >= 12 and < 23;
        if (positions == 23) a.AddWrong($"Positions = (PositionEncoding){r.Pick(["9", "3", "(-1)"])}", "SDSL012");
        else if (positions >= 4) a.Add(rope ? "Positions = PositionEncoding.Rope" : r.OneIn(2) ? "Positions = PositionEncoding.Alibi" : "Positions = PositionEncoding.None");
        double theta = 10000;
        if (r.OneIn(3))
        {
            (string text, theta) = r.Pick<(string, double)>([("10000", 10000), ("500000", 500000), ("1e6", 1e6), ("2.5", 2.5), ("1", 1), ("0.5", 0.5), ("-3", -3), ("double.NaN", double.NaN), ("double.PositiveInfinity", double.PositiveInfinity)]);
            a.Add($"RopeTheta = {text}");
        }
        if (rope && headDim > 0 && (headDim % 2 != 0 || !(theta > 1) || double.IsInfinity(theta))) a.Wrong("SDSL012");
        r.Flag(a, "QkNorm");
        return a;
    }

    /// <summary>A 1-D or 2-D convolution: a kernel of at least 1 (required), stride ≥ 1, padding ≥ 0, groups ≥ 1, sparsity in [0, 1).</summary>
    public static DrawnAttribute Conv(Random r)
    {
        var a = new DrawnAttribute(FuzzKind.Conv, "Conv", "ScaledConv");
        r.Int(a, "Dimensions", valid: [1, 2], invalid: [0, 3, -1], invalidOneIn: 30);
        r.Dimension(a, "In", invalidOneIn: 25);
        r.Dimension(a, "Out", invalidOneIn: 25);
        int kernel = r.Next(40);
        if (kernel == 0) a.Wrong("SDSL012"); // Kernel unset: 0
        else if (kernel == 1) a.AddWrong($"Kernel = {r.Pick(["0", "-2"])}", "SDSL012");
        else a.Add($"Kernel = {Text(r.Next(1, 8))}");
        r.Int(a, "Stride", valid: [1, 2, 4], invalid: [0, -1], invalidOneIn: 40);
        r.Int(a, "Padding", valid: [0, 1, 3], invalid: [-1, -3], invalidOneIn: 40);
        r.Int(a, "Groups", valid: [1, 2, 4], invalid: [0, -2], invalidOneIn: 40);
        r.Sparsity(a, invalidOneIn: 30);
        r.Flag(a, "Bias");
        return a;
    }

    /// <summary>
    /// A free tensor: a shape of dimension expressions with at most one that scales with width, or two and a FanIn that is
    /// one of them; an Init of Normal, Zeros or Ones.
    /// </summary>
    public static DrawnAttribute Parameter(Random r)
    {
        var a = new DrawnAttribute(FuzzKind.Parameter, "Parameter", "ScaledTensor");
        int pick = r.Next(30);
        if (pick == 0) a.Wrong("SDSL012"); // Shape unset
        else if (pick == 1) a.AddWrong($"Shape = \"{r.Pick(["", "  "])}\"", "SDSL012");
        else if (pick == 2) a.AddWrong($"Shape = \"{r.Pick(["width,widht", "width,,1", "1,width*width", "4/width"])}\"", "SDSL004");
        else if (pick == 3) a.AddWrong($"Shape = \"{Shape(r, scaling: 3)}\"", "SDSL012");
        else if (pick is 4 or 5) MatrixWithoutFanIn(r, a);
        else if (pick <= 11) Matrix(r, a);
        else
        {
            a.Add($"Shape = \"{Shape(r, scaling: r.Next(2))}\"");
            if (r.OneIn(40)) a.Add("FanIn = null"); // the documented default, written out
            else if (r.OneIn(8)) a.Add($"FanIn = \"{r.Pick(ValidDims)}\""); // read only for matrix-like tensors
        }
        int init = r.Next(40);
        if (init == 0) a.AddWrong($"Init = {r.Pick(["ParameterInit.Tied", "ParameterInit.AsBuilt", "(ParameterInit)7"])}", "SDSL012");
        else if (init >= 10) a.Add($"Init = ParameterInit.{r.Pick(["Normal", "Zeros", "Ones"])}");
        r.Flag(a, "WeightDecay");
        return a;
    }

    // Two dimensions scale with width, and FanIn names one of them: a hidden matrix.
    private static void Matrix(Random r, DrawnAttribute a)
    {
        string[] shape = Parts(r, scaling: 2);
        a.Add($"Shape = \"{string.Join(",", shape)}\"");
        a.Add($"FanIn = \"{r.Pick(shape.Where(ScalingDims.Contains).ToList())}\"");
    }

    // Two dimensions scale with width, and FanIn is unset, finite or not one of them.
    private static void MatrixWithoutFanIn(Random r, DrawnAttribute a)
    {
        string[] shape = Parts(r, scaling: 2);
        a.Add($"Shape = \"{string.Join(",", shape)}\"");
        var others = ScalingDims.Except(shape).Append("64").ToList();
        if (!r.OneIn(3)) a.Add($"FanIn = \"{r.Pick(others)}\"");
        a.Wrong("SDSL012");
    }

    private static string Shape(Random r, int scaling) => string.Join(",", Parts(r, scaling));

    // Up to two finite dimensions and the given number of scaling ones, in random order.
    private static string[] Parts(Random r, int scaling)
    {
        var parts = Enumerable.Range(0, r.Next(scaling == 0 ? 1 : 0, 3)).Select(_ => r.Pick(FiniteDims))
            .Concat(Enumerable.Range(0, scaling).Select(_ => r.Pick(ScalingDims))).ToArray();
        r.Shuffle(parts);
        return parts;
    }
}
