using System.Globalization;
using System.Text;

namespace SparseDsl.Benchmarks.Generator.Corpus;

/// <summary>
/// Renders a <see cref="ModelRecipe"/> as the C# file a user would write: a <c>[Width]</c> partial class with an
/// embedding, sparse hidden and feed-forward layers, a dense mixing layer, a norm, a readout, optionally a block or a
/// repeated block, and a hand-written <c>forward</c> (modelled on src/SparseDsl.Experiments/Gpt).
/// </summary>
internal static class ModelSource
{
    /// <summary>The line in every model's <c>forward</c> that the method-body edit rewrites.</summary>
    public const string ForwardFirstLine = "var h = Embed.call(ids);";

    /// <summary>The C# source of one model file.</summary>
    public static string Render(ModelRecipe recipe)
    {
        var s = new StringBuilder();
        s.AppendLine("using SparseDsl;");
        s.AppendLine("using Bench.Blocks;");
        s.AppendLine("using static TorchSharp.torch;");
        s.AppendLine();
        s.AppendLine($"namespace {recipe.Namespace};");
        s.AppendLine();
        s.AppendLine($"/// <summary>Benchmark model {recipe.Name}: base width {recipe.BaseWidth}, {recipe.HiddenCount} sparse hidden layers.</summary>");
        s.AppendLine($"[Width(Base = {recipe.BaseWidth})]");
        s.AppendLine($"public sealed partial class {recipe.Name}");
        s.AppendLine("{");
        s.AppendLine("    /// <summary>Token embedding.</summary>");
        s.AppendLine($"    [Embedding(Vocab = {recipe.Vocab})]");
        s.AppendLine("    public partial ScaledEmbedding Embed { get; }");
        s.AppendLine();
        switch (recipe.Shape)
        {
            case ModelShape.Repeated:
                s.AppendLine("    /// <summary>The transformer layers.</summary>");
                s.AppendLine($"    [Repeat(Depth = {recipe.Depth})]");
                s.AppendLine("    public partial TorchSharp.Modules.ModuleList<TransformerLayer> Layers { get; }");
                s.AppendLine();
                break;
            case ModelShape.WithBlock:
                s.AppendLine("    /// <summary>A residual feed-forward sub-module.</summary>");
                s.AppendLine("    [Block]");
                s.AppendLine("    public partial FeedForward Block { get; }");
                s.AppendLine();
                break;
        }
        for (int i = 0; i < recipe.HiddenCount; i++)
        {
            s.AppendLine($"    [SparseLinear(Sparsity = {Number(recipe.HiddenSparsity)})]");
            s.AppendLine($"    public partial ScaledLinear Hidden{i} {{ get; }}");
            s.AppendLine();
        }
        string inner = recipe.FfnMultiplier + "*width";
        s.AppendLine($"    [SparseLinear(Sparsity = {Number(recipe.FfnSparsity)}, Out = \"{inner}\")]");
        s.AppendLine("    public partial ScaledLinear Up { get; }");
        s.AppendLine();
        s.AppendLine($"    [SparseLinear(Sparsity = {Number(recipe.FfnSparsity)}, In = \"{inner}\")]");
        s.AppendLine("    public partial ScaledLinear Down { get; }");
        s.AppendLine();
        s.AppendLine(recipe.MixBias ? "    [Linear(Bias = true)]" : "    [Linear]");
        s.AppendLine("    public partial ScaledLinear Mix { get; }");
        s.AppendLine();
        s.AppendLine(recipe.NormBias ? $"    [Norm(Kind = NormKind.{recipe.NormKind}, Bias = true)]" : $"    [Norm(Kind = NormKind.{recipe.NormKind})]");
        s.AppendLine("    public partial ScaledNorm FinalNorm { get; }");
        s.AppendLine();
        s.AppendLine(recipe.TiedReadout
            ? $"    [Readout(Out = \"{recipe.Classes}\", TiedTo = nameof(Embed))]"
            : $"    [Readout(Out = \"{recipe.Classes}\")]");
        s.AppendLine("    public partial ScaledLinear Head { get; }");
        s.AppendLine();
        s.AppendLine("    /// <summary>Maps token ids to logits.</summary>");
        s.AppendLine("    public override Tensor forward(Tensor ids)");
        s.AppendLine("    {");
        s.AppendLine("        using var scope = NewDisposeScope();");
        s.AppendLine($"        {ForwardFirstLine}");
        if (recipe.Shape == ModelShape.Repeated)
            s.AppendLine("        foreach (var layer in Layers) h = layer.call(h);");
        if (recipe.Shape == ModelShape.WithBlock)
            s.AppendLine("        h = h + Block.call(h);");
        for (int i = 0; i < recipe.HiddenCount; i++)
            s.AppendLine($"        h = h + nn.functional.gelu(Hidden{i}.call(h));");
        s.AppendLine("        h = h + Down.call(nn.functional.relu(Up.call(h)));");
        s.AppendLine("        h = Mix.call(h);");
        s.AppendLine("        return Head.call(FinalNorm.call(h)).MoveToOuterDisposeScope();");
        s.AppendLine("    }");
        s.AppendLine("}");
        return s.ToString();
    }

    // Attribute arguments are C# literals: never let the current culture write "0,875".
    private static string Number(double value) => value.ToString("0.0##", CultureInfo.InvariantCulture);
}
