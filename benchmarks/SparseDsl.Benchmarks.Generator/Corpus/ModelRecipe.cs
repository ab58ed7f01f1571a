using System.Globalization;

namespace SparseDsl.Benchmarks.Generator.Corpus;

/// <summary>How a model's body is structured around its flat layers.</summary>
internal enum ModelShape
{
    /// <summary>A <c>[Repeat]</c> stack of transformer layers (a GPT-style LM).</summary>
    Repeated,

    /// <summary>One <c>[Block]</c> feed-forward sub-module.</summary>
    WithBlock,

    /// <summary>Only direct layers.</summary>
    Flat,
}

/// <summary>
/// The knobs that make one benchmark model differ from the others: name, base width, layer counts and sparsities.
/// Every value is a function of the model's index, so the corpus is the same on every run.
/// </summary>
internal sealed record ModelRecipe(
    string Name,
    string Namespace,
    int BaseWidth,
    int Vocab,
    int Classes,
    bool TiedReadout,
    int HiddenCount,
    double HiddenSparsity,
    double FfnSparsity,
    int FfnMultiplier,
    bool MixBias,
    string NormKind,
    bool NormBias,
    ModelShape Shape,
    int Depth)
{
    // 10 × 5 distinct names; the noun also picks the namespace, as a real project groups models by task.
    private static readonly string[] Adjectives = ["Tiny", "Small", "Lean", "Wide", "Deep", "Sparse", "Dense", "Quick", "Long", "Broad"];
    private static readonly string[] Nouns = ["Lm", "Classifier", "Encoder", "Tagger", "Ranker"];
    private static readonly int[] BaseWidths = [64, 128, 256, 512, 1024];

    /// <summary>The largest index <see cref="For"/> accepts plus one.</summary>
    public static int MaxCount => Adjectives.Length * Nouns.Length;

    /// <summary>The recipe of model number <paramref name="index"/> (0-based, below <see cref="MaxCount"/>).</summary>
    public static ModelRecipe For(int index)
    {
        if (index < 0 || index >= MaxCount)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"the corpus has at most {MaxCount} distinct models");
        string noun = Nouns[index / Adjectives.Length];
        bool tied = index % 4 == 0;
        int vocab = 256 + 64 * (index % 7);
        return new ModelRecipe(
            Name: Adjectives[index % Adjectives.Length] + noun + index.ToString(CultureInfo.InvariantCulture),
            Namespace: "Bench.Models." + noun + "s",
            // A stride of 3 decorrelates the base width from the adjective (both would otherwise follow index % 5).
            BaseWidth: BaseWidths[index * 3 % BaseWidths.Length],
            Vocab: vocab,
            // A tied readout must match the embedding's vocabulary; an untied one is a classifier head.
            Classes: tied ? vocab : 10 + index,
            TiedReadout: tied,
            HiddenCount: 1 + index % 4,
            HiddenSparsity: 0.5 + 0.05 * (index % 9),
            FfnSparsity: index % 2 == 0 ? 0.875 : 0.75,
            FfnMultiplier: index % 2 == 0 ? 4 : 2,
            MixBias: index % 3 == 0,
            NormKind: index % 4 == 1 ? "RmsNorm" : "LayerNorm",
            NormBias: index % 4 == 2,
            Shape: (ModelShape)(index % 3),
            Depth: 1 + index % 6);
    }
}
