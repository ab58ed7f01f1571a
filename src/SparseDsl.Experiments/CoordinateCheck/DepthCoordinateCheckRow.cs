using System.Globalization;
using System.Text;

namespace SparseDsl.Experiments.CoordinateCheck;

/// <summary>One measurement of a depth coordinate check: mean |output| of one block kind at one step of one run.</summary>
/// <param name="DepthRule">The rule's token: none, depth-mup or completep (<see cref="DepthRuleNames.Token"/>).</param>
/// <param name="Parameterization">The width/density parameterization's token (SP, muP, SuPar).</param>
/// <param name="Depth">Blocks in the model.</param>
/// <param name="Width">Model width.</param>
/// <param name="Density">Fraction of weights kept.</param>
/// <param name="Seed">Seed of the run.</param>
/// <param name="Step">Training step whose forward pass was measured (step 1: before any update).</param>
/// <param name="Block"><c>stream</c> (the residual stream after the last block), <c>attention</c> or <c>mlp</c> (a branch's output before its multiplier, averaged over blocks).</param>
/// <param name="MeanAbsActivation">Mean absolute value.</param>
public sealed record DepthCoordinateCheckRow(
    string DepthRule, string Parameterization, int Depth, int Width, double Density, int Seed, int Step, string Block, double MeanAbsActivation)
{
    /// <summary>The CSV header line.</summary>
    public const string CsvHeader = "depth_rule,parameterization,depth,width,density,seed,step,block,mean_abs_activation";

    /// <summary>Writes <paramref name="rows"/> to <paramref name="path"/> atomically (invariant culture, round-trip numbers).</summary>
    public static void WriteCsv(IEnumerable<DepthCoordinateCheckRow> rows, string path)
    {
        var text = new StringBuilder(CsvHeader).Append('\n');
        foreach (var r in rows)
            text.Append(string.Join(',', r.DepthRule, r.Parameterization, I(r.Depth), I(r.Width), r.Density.ToString("R", CultureInfo.InvariantCulture),
                I(r.Seed), I(r.Step), r.Block, r.MeanAbsActivation.ToString("R", CultureInfo.InvariantCulture))).Append('\n');
        byte[] bytes = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text.ToString());
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }

    /// <summary>Reads a file written by <see cref="WriteCsv"/>; a bad line is an <see cref="InvalidDataException"/> naming it.</summary>
    public static IReadOnlyList<DepthCoordinateCheckRow> ReadCsv(string path)
    {
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0 || lines[0] != CsvHeader)
            throw new InvalidDataException($"{path}: expected the header '{CsvHeader}'.");
        var rows = new List<DepthCoordinateCheckRow>();
        for (int i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            var f = lines[i].Split(',');
            try
            {
                if (f.Length != 9) throw new FormatException($"expected 9 fields, found {f.Length}");
                rows.Add(new(f[0], f[1], int.Parse(f[2], CultureInfo.InvariantCulture), int.Parse(f[3], CultureInfo.InvariantCulture),
                    double.Parse(f[4], CultureInfo.InvariantCulture), int.Parse(f[5], CultureInfo.InvariantCulture), int.Parse(f[6], CultureInfo.InvariantCulture),
                    f[7], double.Parse(f[8], CultureInfo.InvariantCulture)));
            }
            catch (FormatException e)
            {
                throw new InvalidDataException($"{path}:{i + 1}: {e.Message}", e);
            }
        }
        return rows;
    }

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);
}
