using static SparseDsl.Generators.Tests.Fuzz.RandomValues;

namespace SparseDsl.Generators.Tests.Fuzz;

/// <summary>
/// An embedding <c>Embed</c> and a readout <c>Head</c> tied to it. The tie holds only when the readout maps the
/// embedding's Dim to its Vocab and has no Bias or ZeroInit; anything else is SDSL011 on <c>Head</c>.
/// </summary>
internal static class RandomTies
{
    public static void Add(ClassDraft c, Random r)
    {
        int vocab = r.Next(1, 300);
        string? dim = r.OneIn(2) ? null : r.Pick(ValidDims);
        c.AddMember($"[Embedding(Vocab = {Text(vocab)}{(dim is null ? "" : $", Dim = \"{dim}\"")})] public partial ScaledEmbedding Embed {{ get; }}");
        c.Uses(FuzzKind.Embedding);

        var readout = new DrawnAttribute(FuzzKind.Tie, "Readout", "ScaledLinear");
        string input = dim ?? "width", target = "nameof(Embed)";
        int output = vocab;
        switch (r.Next(24))
        {
            case 0: input = r.Pick(ValidDims.Where(d => d != input).ToList()); readout.Wrong("SDSL011"); break;
            case 1: output = vocab + r.Next(1, 5); readout.Wrong("SDSL011"); break;
            case 2: readout.AddWrong("Bias = true", "SDSL011"); break;
            case 3: readout.AddWrong("ZeroInit = true", "SDSL011"); break;
            case 4: target = "\"Missing\""; readout.Wrong("SDSL011"); break;
            case 5: target = "nameof(forward)"; readout.Wrong("SDSL011"); break; // a member, not an [Embedding]
            default: if (r.OneIn(6)) readout.Add(r.Pick(["Bias = false", "ZeroInit = false"])); break;
        }
        if (input != "width" || r.OneIn(2)) readout.Add($"In = \"{input}\"");
        readout.Add($"Out = \"{Text(output)}\"");
        readout.Add($"TiedTo = {target}");
        c.AddMember($"[{readout}] public partial ScaledLinear Head {{ get; }}");
        c.Uses(FuzzKind.Readout);
        c.Uses(FuzzKind.Tie);
        foreach (var (kind, id) in readout.Problems) c.Mistake(kind, "Head", id);
    }
}
