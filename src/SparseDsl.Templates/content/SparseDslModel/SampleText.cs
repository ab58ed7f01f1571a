using System.Text;

namespace SparseDslModel;

/// <summary>
/// A small synthetic corpus, so the project trains with no download: seeded sentences from a tiny grammar.
/// Replace it with your own text via <c>--data FILE</c>.
/// </summary>
static class SampleText
{
    static readonly string[] Subjects = ["The cat", "A dog", "The old sailor", "My neighbour", "The small robot", "A young painter"];
    static readonly string[] Verbs = ["watches", "paints", "follows", "carries", "finds", "remembers"];
    static readonly string[] Objects = ["the red boat", "a quiet garden", "the morning light", "an open window", "the last train", "a blue kite"];
    static readonly string[] Endings = ["every day.", "in the rain.", "before noon.", "near the river.", "with great care.", "at night."];

    public static byte[] Generate(int seed, int sentences = 6000)
    {
        var random = new Random(seed);
        var text = new StringBuilder();
        for (int i = 0; i < sentences; i++)
        {
            text.Append(Pick(Subjects, random)).Append(' ').Append(Pick(Verbs, random)).Append(' ')
                .Append(Pick(Objects, random)).Append(' ').Append(Pick(Endings, random))
                .Append(i % 5 == 4 ? '\n' : ' ');
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    static string Pick(string[] words, Random random) => words[random.Next(words.Length)];
}
