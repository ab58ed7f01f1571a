using SparseDsl.Generators.Specs;

namespace SparseDsl.Generators.KindChecks;

/// <summary>What the linear kinds share: In and Out, defaulting to the width.</summary>
internal static class LinearArguments
{
    public static KindShape Read(KindArguments arguments, double? sparsity) =>
        new(arguments.Dimension("In", SparseDsl.AttributeDefaults.Dimension), arguments.Dimension("Out", SparseDsl.AttributeDefaults.Dimension))
        {
            Sparsity = sparsity,
            IsProjection = true,
            Chains = true,
        };

    // nn.Linear(in, out): numbers the user wrote stay, as finite dimensions; anything else is the width.
    public static string Suggest(string kind, string[] literalArguments)
    {
        string In = literalArguments.Length > 0 ? literalArguments[0] : "width";
        string Out = literalArguments.Length > 1 ? literalArguments[1] : "width";
        return In == "width" && Out == "width" ? kind : $"{kind}(In = \"{In}\", Out = \"{Out}\")";
    }

    /// <summary>Whether a dimension is the model width itself.</summary>
    public static bool IsWidth(DimensionSpec? d) => d is { Numerator: 1, Denominator: 1 };
}
