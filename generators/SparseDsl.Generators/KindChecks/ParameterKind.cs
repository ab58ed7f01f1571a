using System.Collections.Generic;
using System.Linq;
using SparseDsl.Generators.Specs;

namespace SparseDsl.Generators.KindChecks;

/// <summary><c>[Parameter]</c>: a free tensor whose role follows from how many of its dimensions scale with width.</summary>
internal sealed class ParameterKind : KindDescription
{
    public override string AttributeName => "SparseDsl.ParameterAttribute";

    public override string[] Replaces => new[] { "TorchSharp.Modules.Parameter" };

    // The raw tensor's shape is not in its constructor's literals; the comment tells the user what to write.
    public override string Suggest(string rawType, string[] literalArguments) => "Parameter(Shape = \"width\" /* its shape, e.g. \"1,1,width\" */)";

    public override KindShape Read(KindArguments arguments)
    {
        string shapeText = arguments.String("Shape", "") ?? "";
        if (shapeText.Trim().Length == 0)
        {
            arguments.OutOfRange("Shape", "set the shape as comma-separated dimension expressions, such as \"1,1,width\"");
            return new(null, null);
        }
        var shape = new List<DimensionSpec>();
        foreach (string part in shapeText.Split(','))
            if (Parsing.DimensionParser.TryParse(part.Trim(), out var dimension, out string error)) shape.Add(dimension!);
            else arguments.Report(DiagnosticDescriptors.BadDimension, "Shape", shapeText, arguments.Member, error);
        // SparseDsl.ParameterInit: 0 Normal, 1 Zeros, 2 Ones; Tied and AsBuilt are not for free tensors.
        int init = arguments.Enum("Init", 0, out bool defined);
        if (!defined || init > 2) arguments.OutOfRange($"Init = {init}", "a free tensor starts Normal, Zeros or Ones");
        int scaling = shape.Count(d => d.ScalesWithWidth);
        DimensionSpec? fanIn = arguments.Has("FanIn") ? arguments.Dimension("FanIn", "") : null;
        if (scaling > 2)
            arguments.OutOfRange($"Shape = \"{shapeText}\"", $"{scaling} dimensions scale with width; μP and SμPar give rules for one (vector-like) or two (matrix-like)");
        else if (scaling == 2 && (fanIn is not { ScalesWithWidth: true } || !shape.Contains(fanIn)))
            arguments.OutOfRange($"Shape = \"{shapeText}\"", "two dimensions scale with width, so the tensor is matrix-like: set FanIn to the dimension each output reads, one of the shape's");
        return new(null, null);
    }
}
