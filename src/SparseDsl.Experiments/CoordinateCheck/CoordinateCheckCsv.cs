using System.Globalization;
using System.Text;

namespace SparseDsl.Experiments.CoordinateCheck;

/// <summary>Writes and reads coordinate-check measurements (<see cref="CoordinateCheckRow"/>) as CSV: <c>coord-check.csv</c>.</summary>
public static class CoordinateCheckCsv
{
    /// <summary>The CSV header line, in column order.</summary>
    public const string CsvHeader = "parameterization,width,density,seed,step,block,mean_abs_activation";

    private const int FieldCount = 7;

    /// <summary>
    /// Writes <paramref name="rows"/> as CSV to <paramref name="path"/>, creating its directory if needed.
    /// The file is written to <c>path + ".tmp"</c> and then moved over <paramref name="path"/>, so a reader
    /// never sees a half-written file. Numbers use the invariant culture and round-trip exactly.
    /// </summary>
    /// <param name="rows">Measurements to write.</param>
    /// <param name="path">Destination file.</param>
    /// <exception cref="ArgumentException">A parameterization or block name contains a comma, quote or line break.</exception>
    public static void WriteCsv(IEnumerable<CoordinateCheckRow> rows, string path)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentException.ThrowIfNullOrEmpty(path);

        string fullPath = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
        string tmpPath = fullPath + ".tmp";
        try
        {
            using (var writer = new StreamWriter(tmpPath, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)))
            {
                writer.NewLine = "\n";
                writer.WriteLine(CsvHeader);
                foreach (CoordinateCheckRow row in rows)
                {
                    writer.WriteLine(string.Join(',',
                        PlainField(row.Parameterization, nameof(row.Parameterization)),
                        row.Width.ToString(CultureInfo.InvariantCulture),
                        row.Density.ToString("R", CultureInfo.InvariantCulture),
                        row.Seed.ToString(CultureInfo.InvariantCulture),
                        row.Step.ToString(CultureInfo.InvariantCulture),
                        PlainField(row.Block, nameof(row.Block)),
                        row.MeanAbsActivation.ToString("R", CultureInfo.InvariantCulture)));
                }
            }
            File.Move(tmpPath, fullPath, overwrite: true);
        }
        catch
        {
            // Leave no stale temporary behind when a row is rejected or the disk fails.
            File.Delete(tmpPath);
            throw;
        }
    }

    /// <summary>Reads a file written by <see cref="WriteCsv"/>. Blank lines are skipped.</summary>
    /// <param name="path">CSV file to read.</param>
    /// <returns>The rows in file order.</returns>
    /// <exception cref="InvalidDataException">The header is wrong or a line cannot be parsed; the message names the line.</exception>
    public static IReadOnlyList<CoordinateCheckRow> ReadCsv(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);

        var rows = new List<CoordinateCheckRow>();
        int lineNumber = 0;
        bool sawHeader = false;
        foreach (string rawLine in File.ReadLines(path))
        {
            lineNumber++;
            string line = rawLine.TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }
            if (!sawHeader)
            {
                if (line != CsvHeader)
                {
                    throw new InvalidDataException($"{path}:{lineNumber}: expected header '{CsvHeader}', found '{line}'.");
                }
                sawHeader = true;
                continue;
            }
            rows.Add(ParseRow(line, path, lineNumber));
        }
        if (!sawHeader)
        {
            throw new InvalidDataException($"{path}: empty file, expected header '{CsvHeader}'.");
        }
        return rows;
    }

    private static string PlainField(string value, string name)
    {
        // Names are short identifiers; rejecting separators keeps the format a plain split on commas.
        if (value.AsSpan().IndexOfAny(",\"\r\n") >= 0)
        {
            throw new ArgumentException($"{name} '{value}' contains a comma, quote or line break.", nameof(name));
        }
        return value;
    }

    private static CoordinateCheckRow ParseRow(string line, string path, int lineNumber)
    {
        string[] f = line.Split(',');
        if (f.Length != FieldCount)
        {
            throw new InvalidDataException($"{path}:{lineNumber}: expected {FieldCount} fields, found {f.Length}: '{line}'.");
        }
        return new CoordinateCheckRow(
            Parameterization: f[0],
            Width: ParseInt(f[1], "width"),
            Density: ParseDouble(f[2], "density"),
            Seed: ParseInt(f[3], "seed"),
            Step: ParseInt(f[4], "step"),
            Block: f[5],
            MeanAbsActivation: ParseDouble(f[6], "mean_abs_activation"));

        int ParseInt(string s, string column) =>
            int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v)
                ? v
                : throw new InvalidDataException($"{path}:{lineNumber}: {column} '{s}' is not an integer.");

        double ParseDouble(string s, string column) =>
            double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v)
                ? v
                : throw new InvalidDataException($"{path}:{lineNumber}: {column} '{s}' is not a number.");
    }
}
