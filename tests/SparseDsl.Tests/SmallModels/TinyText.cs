using System.Text;
using SparseDsl.Data;

namespace SparseDsl.Tests.SmallModels;

/// <summary>
/// The bytes the trainer and checkpoint tests train <see cref="TinyByteLm"/> on: 16 KB of words drawn with a fixed seed
/// and built in memory, so those tests need neither the example's bundled corpus nor a file.
/// </summary>
internal static class TinyText
{
    private static readonly string[] Words =
    [
        "the", "a", "sparse", "layer", "mask", "keeps", "every", "eighth", "weight", "width", "grows", "and",
        "learning", "rate", "shrinks", "with", "density", "of", "model", "trains", "on", "bytes", "checkpoint", "resumes",
    ];

    private static readonly Lazy<TextCorpus> Text = new(() =>
    {
        var random = new Random(17);
        var text = new StringBuilder();
        while (text.Length < 16_384)
        {
            text.Append(Words[random.Next(Words.Length)]);
            text.Append(random.Next(8) == 0 ? ".\n" : " ");
        }
        return TextCorpus.FromBytes("test words", Encoding.ASCII.GetBytes(text.ToString()));
    });

    /// <summary>The text, split 95% training, 5% validation.</summary>
    public static TextCorpus Corpus => Text.Value;

    /// <summary>Seeded next-byte batches of <paramref name="batch"/> windows of <paramref name="context"/> bytes.</summary>
    public static NextTokenBatches Batches(int batch, int context, long seed, int validationBatches = 20) =>
        new(Corpus, batch, context, seed, validationBatches);
}
