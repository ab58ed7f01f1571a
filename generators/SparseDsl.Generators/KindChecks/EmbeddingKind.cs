using System.Globalization;
using SparseDsl.Generators.Specs;

namespace SparseDsl.Generators.KindChecks;

/// <summary><c>[Embedding]</c>: a finite vocabulary looked up into a dimension.</summary>
internal sealed class EmbeddingKind : KindDescription
{
    public override string AttributeName => "SparseDsl.EmbeddingAttribute";

    public override string[] Replaces => new[] { "TorchSharp.Modules.Embedding" };

    // nn.Embedding(num_embeddings, dim): keep the vocabulary when it is written as a number.
    public override string Suggest(string rawType, string[] literalArguments) =>
        $"Embedding(Vocab = {(literalArguments.Length > 0 && literalArguments[0] != "width" ? literalArguments[0] : "/* vocabulary size */ 1")})";

    public override KindShape Read(KindArguments arguments)
    {
        var dim = arguments.Dimension("Dim", SparseDsl.AttributeDefaults.Dimension);
        int vocab = arguments.Int("Vocab", 0);
        if (arguments.Has("Rows"))
        {
            // Rows = "vocab" (the model's run-time vocabulary) or another finite expression, instead of Vocab.
            if (vocab != 0) arguments.OutOfRange($"Vocab = {vocab.ToString(CultureInfo.InvariantCulture)} and Rows", "both give the rows; keep one");
            return new(arguments.FiniteDimension("Rows", ""), dim) { Chains = true };
        }
        if (vocab <= 0) arguments.Report(DiagnosticDescriptors.ReadoutNotFinite, "Vocab", arguments.Member, vocab.ToString(CultureInfo.InvariantCulture));
        return new(vocab > 0 ? DimensionSpec.Fixed(vocab) : null, dim) { Chains = true };
    }
}
