using System.Text;

namespace SparseDsl.Generators.Tests.Fuzz;

/// <summary>
/// Random declarations for <see cref="FuzzTests"/>: a [Width] model, half the time with a [Block] class placed in it,
/// every kind with random values, now and then a wrong one, a wrong member or class, or text cut short.
/// </summary>
internal static class RandomDeclarations
{
    public static FuzzCase Next(Random r, int index)
    {
        var block = r.OneIn(2) ? RandomBlocks.Draw(r, $"Blk{index}") : null;
        var model = RandomModels.Draw(r, $"Model{index}", block?.Name);
        ClassDraft[] classes = block is null ? [model] : r.OneIn(2) ? [model, block] : [block, model];

        var text = new StringBuilder("using SparseDsl;\nusing static TorchSharp.torch;\nnamespace Fuzz;\n");
        foreach (var c in classes) c.Write(text);
        string source = text.ToString();
        bool cut = r.OneIn(12);
        if (cut)
        {
            // Broken syntax: cut the text somewhere after the first class attribute opens. A cut that lands between two
            // classes leaves whole syntax, which is not what this case is for: cut again.
            int start = source.IndexOf("\n[", StringComparison.Ordinal) + 3;
            string whole = source;
            do source = whole.Substring(0, r.Next(start, whole.Length - 1));
            while (!Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(source, GeneratorHarness.ParseOptions).GetDiagnostics()
                .Any(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error));
        }
        return new FuzzCase(
            source,
            classes.Select(c => c.Class).ToList(),
            classes.SelectMany(c => c.Mistakes).ToList(),
            classes.SelectMany(c => c.Kinds).ToHashSet(),
            cut);
    }
}
