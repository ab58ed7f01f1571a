using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis;

namespace SparseDsl.Generators.Tests;

/// <summary>
/// The generator never throws and never goes silent: thousands of random declarations (random attribute values,
/// wrong member kinds and types, missing modifiers, broken syntax) each end as either generated code that compiles
/// or a specific diagnostic.
/// </summary>
public class FuzzTests
{
    private static readonly string[] ValidDims = ["width", "2*width", "width/2", "4*width", "64", "10"];
    private static readonly string[] InvalidDims = ["", "widht", "width*width", "4/width", "width+1", "0*width", "7/2", "vocab", "*", "99999999999"];

    [Fact]
    public void Two_thousand_random_declarations_never_crash_the_generator_and_never_go_silent()
    {
        var random = new Random(20241122);
        int valid = 0, invalid = 0, compiled = 0;
        for (int i = 0; i < 2000; i++)
        {
            var (source, expectValid) = RandomDeclaration(random, i);
            var result = GeneratorHarness.Run(source);
            Assert.True(result.Exceptions.Count == 0, $"case {i}: generator threw {result.Exceptions.FirstOrDefault()}\n{source}");
            Assert.DoesNotContain(result.GeneratorDiagnostics, d => d.Id == "CS8785");
            var sparseDsl = result.GeneratorDiagnostics.Where(d => d.Id.StartsWith("SDSL", StringComparison.Ordinal)).ToList();
            if (expectValid)
            {
                valid++;
                Assert.True(sparseDsl.Count == 0, $"case {i}: valid declaration got {string.Join("; ", sparseDsl)}\n{source}");
                Assert.Single(result.Generated);
                if (compiled < 150)
                {
                    compiled++;
                    Assert.True(result.CompileErrors.Count == 0, $"case {i}: generated code does not compile: {string.Join("; ", result.CompileErrors.Take(3))}\n{source}");
                }
            }
            else
            {
                invalid++;
                // Broken syntax is the compiler's to report (and it does, as parse errors).
                bool syntaxBroken = Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(source, GeneratorHarness.ParseOptions)
                    .GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error);
                Assert.True(sparseDsl.Count > 0 || syntaxBroken,
                    $"case {i}: invalid declaration got no SparseDsl diagnostic (generated {result.Generated.Count} file(s); compile errors: {string.Join("; ", result.CompileErrors.Take(3))})\n{source}");
                if (sparseDsl.Any(d => d.Severity == DiagnosticSeverity.Error))
                    Assert.All(result.Generated.Values, g => Assert.Contains("has SparseDsl errors", g));
            }
        }
        Assert.True(valid > 300 && invalid > 300, $"the generator of cases is unbalanced: {valid} valid, {invalid} invalid");
    }

    private static (string Source, bool Valid) RandomDeclaration(Random r, int index)
    {
        bool valid = true;
        var sb = new StringBuilder("using SparseDsl;\nusing static TorchSharp.torch;\nnamespace Fuzz;\n");
        int baseWidth = r.Next(10) == 0 ? -r.Next(0, 5) : 16 * r.Next(1, 32);
        if (baseWidth <= 0) valid = false;
        sb.Append(CultureInfo.InvariantCulture, $"[Width(Base = {baseWidth})]\n");
        bool partialClass = r.Next(12) != 0;
        if (!partialClass) valid = false;
        sb.Append(CultureInfo.InvariantCulture, $"public {(partialClass ? "partial " : "")}class Model{index}\n{{\n");

        int layers = r.Next(0, 6);
        var names = new HashSet<string>();
        for (int l = 0; l < layers; l++)
        {
            string name = "L" + l;
            names.Add(name);
            int kind = r.Next(4);
            string attribute;
            string type = kind == 0 ? "ScaledEmbedding" : "ScaledLinear";
            switch (kind)
            {
                case 0:
                    int vocab = r.Next(8) == 0 ? -r.Next(0, 3) : r.Next(1, 300);
                    if (vocab <= 0) valid = false;
                    attribute = $"Embedding({Join($"Vocab = {vocab}", DimArg(r, "Dim", ref valid, allowFinite: true))})";
                    break;
                case 1:
                    attribute = $"Linear({Join(DimArg(r, "In", ref valid, true), DimArg(r, "Out", ref valid, true), r.Next(2) == 0 ? "Bias = true" : "")})";
                    break;
                case 2:
                    double sparsity = r.Next(8) == 0 ? (r.NextDouble() * 3 - 1) : Math.Round(r.NextDouble() * 0.95, 3);
                    if (!(sparsity >= 0 && sparsity < 1)) valid = false;
                    attribute = $"SparseLinear({Join($"Sparsity = {sparsity.ToString("R", CultureInfo.InvariantCulture)}", DimArg(r, "In", ref valid, true), DimArg(r, "Out", ref valid, true))})";
                    break;
                default:
                    bool finiteOut = r.Next(6) != 0;
                    string outDim = finiteOut ? r.Next(1, 500).ToString(CultureInfo.InvariantCulture) : "width";
                    if (!finiteOut) valid = false;
                    attribute = $"Readout({Join(DimArg(r, "In", ref valid, true), $"Out = \"{outDim}\"")})";
                    break;
            }
            if (r.Next(15) == 0) { attribute += ", Linear"; valid = false; }

            int shape = r.Next(14);
            string member = shape switch
            {
                0 => $"public {type} {name} {{ get; set; }} = null!;",
                1 => $"public {type} {name} = null!;",
                2 => $"public partial {(type == "ScaledLinear" ? "ScaledEmbedding" : "ScaledLinear")} {name} {{ get; }}",
                3 => $"public static partial {type} {name} {{ get; }}",
                _ => $"public partial {type} {name} {{ get; }}",
            };
            if (shape <= 3) valid = false;
            sb.Append(CultureInfo.InvariantCulture, $"    [{attribute}] {member}\n");
        }
        if (r.Next(5) == 0) sb.Append("    private int Helper() => 42;\n");
        sb.Append("    public override Tensor forward(Tensor x) => x;\n}\n");

        string source = sb.ToString();
        if (r.Next(10) == 0)
        {
            // Broken syntax: cut the text somewhere after the attribute.
            int cut = r.Next(source.IndexOf("[Width", StringComparison.Ordinal) + 7, source.Length - 1);
            source = source.Substring(0, cut);
            valid = false;
        }
        return (source, valid);
    }

    private static string DimArg(Random r, string name, ref bool valid, bool allowFinite)
    {
        int pick = r.Next(10);
        if (pick < 4) return ""; // default "width"
        if (pick < 9) return $"{name} = \"{(allowFinite ? ValidDims[r.Next(ValidDims.Length)] : "width")}\"";
        valid = false;
        return $"{name} = \"{InvalidDims[r.Next(InvalidDims.Length)]}\"";
    }

    private static string Join(params string[] parts) => string.Join(", ", parts.Where(p => p.Length > 0).Select(p => p.TrimStart(',', ' ')));
}
