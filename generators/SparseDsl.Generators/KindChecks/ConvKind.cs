namespace SparseDsl.Generators.KindChecks;

/// <summary><c>[Conv]</c>: a 1-D or 2-D convolution from In to Out channels.</summary>
internal sealed class ConvKind : KindDescription
{
    public override string AttributeName => "SparseDsl.ConvAttribute";

    public override string[] Replaces => new[] { "TorchSharp.Modules.Conv1d", "TorchSharp.Modules.Conv2d" };

    // nn.Conv2d(in, out, kernel): the sizes the user wrote stay.
    public override string Suggest(string rawType, string[] literalArguments)
    {
        string dimensions = rawType.EndsWith("Conv1d") ? "Dimensions = 1, " : "";
        string In = literalArguments.Length > 0 ? literalArguments[0] : "width";
        string Out = literalArguments.Length > 1 ? literalArguments[1] : "width";
        string kernel = literalArguments.Length > 2 ? literalArguments[2] : "/* kernel size */ 3";
        return $"Conv({dimensions}In = \"{In}\", Out = \"{Out}\", Kernel = {kernel})";
    }

    public override KindShape Read(KindArguments arguments)
    {
        int dimensions = arguments.Int("Dimensions", SparseDsl.AttributeDefaults.ConvDimensions);
        if (dimensions is not (1 or 2)) arguments.OutOfRange($"Dimensions = {dimensions}", "only 1-D and 2-D convolutions are supported");
        int kernel = arguments.AtLeast("Kernel", 0, 1, "set the kernel size, at least 1");
        arguments.AtLeast("Stride", SparseDsl.AttributeDefaults.Stride, 1, "the stride must be at least 1");
        arguments.AtLeast("Padding", SparseDsl.AttributeDefaults.Padding, 0, "the padding cannot be negative");
        int groups = arguments.AtLeast("Groups", SparseDsl.AttributeDefaults.Groups, 1, "there must be at least one group");
        int window = dimensions == 1 ? kernel : kernel * kernel;
        return new(arguments.Dimension("In", SparseDsl.AttributeDefaults.Dimension), arguments.Dimension("Out", SparseDsl.AttributeDefaults.Dimension))
        {
            Sparsity = arguments.Sparsity(),
            // The analyzers count fan-in per output channel: In / Groups × the kernel window.
            FanInFactor = groups > 0 ? System.Math.Max(1, window) : 1,
            Chains = true,
        };
    }
}
