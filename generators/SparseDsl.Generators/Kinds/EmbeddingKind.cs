using System.Globalization;
using SparseDsl.Generators.Model;

namespace SparseDsl.Generators.Kinds;

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
        int vocab = arguments.Int("Vocab", 0);
        if (vocab <= 0) arguments.Report(DiagnosticDescriptors.ReadoutNotFinite, "Vocab", arguments.Member, vocab.ToString(CultureInfo.InvariantCulture));
        return new(vocab > 0 ? DimensionSpec.Fixed(vocab) : null, arguments.Dimension("Dim", SparseDsl.AttributeDefaults.Dimension)) { Chains = true };
    }
}
