using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace SparseDsl.Experiments.Sweep;

/// <summary>
/// What a shard's folder says about itself (<see cref="FileName"/>): which part it is and the whole grid and settings it
/// is a part of, plus a fingerprint of those. <c>sweep merge</c> rebuilds the grid from it and refuses parts whose grids
/// differ; a shard re-run in the same folder refuses a changed grid, since the split depends on the whole grid.
/// </summary>
/// <param name="Settings">The whole sweep's grid and shared settings.</param>
/// <param name="Shard">Which part this folder holds.</param>
public sealed record SweepManifest(SweepSettings Settings, SweepShard Shard)
{
    /// <summary>The manifest's file name inside a shard's folder.</summary>
    public const string FileName = "sweep-shard.txt";

    private const string Comment = "# One part of a SparseDsl sweep; `sweep merge` joins the parts of one grid. Do not edit.";

    /// <summary>
    /// The grid and settings, one <c>key=value</c> each, in a fixed order; the part and its count are not included.
    /// A sweep of a token file ends with its <c>tokens</c>, <c>tokenizer</c> and <c>vocabulary</c>; a text sweep has no
    /// such lines, so its manifest (and fingerprint) is the one written before token files existed. Likewise a sweep with a
    /// depth axis (<see cref="SweepSettings.HasDepthAxis"/>) adds <c>depths</c> (<c>shared</c>: every run at
    /// <c>depth</c>) and <c>depth_rules</c>, and a sweep without one has neither.
    /// </summary>
    public IReadOnlyList<(string Key, string Value)> Grid()
    {
        var s = Settings;
        List<(string Key, string Value)> grid =
        [
            ("model", s.Model),
            ("parameterizations", string.Join(',', s.Parameterizations.Select(p => p.Token()))),
            ("sparsities", string.Join(',', s.Sparsities.Select(x => x.ToString("R", CultureInfo.InvariantCulture)))),
            ("widths", Join(s.Widths)),
            ("log2_lrs", Join(s.Log2LearningRates)),
            ("seeds", I(s.Seeds)),
            ("steps", I(s.Steps)),
            ("depth", I(s.Depth)),
            ("batch", I(s.Batch)),
            ("context", I(s.Context)),
            ("data", s.Data ?? Bundled),
        ];
        if (s.HasDepthAxis)
        {
            grid.Add(("depths", s.Depths is { } depths ? Join(depths) : Shared));
            grid.Add(("depth_rules", string.Join(',', s.DepthRules.Select(r => r.Token()))));
        }
        if (s.Tokens is not null)
        {
            grid.Add(("tokens", s.Tokens));
            grid.Add(("tokenizer", s.Tokenizer));
            grid.Add(("vocabulary", s.Vocabulary is { } v ? I(v) : Declared));
        }
        return grid;
    }

    /// <summary>
    /// 16 hex digits of the SHA-256 of <see cref="Grid"/> and the number of parts: equal for every part of one split of
    /// one grid, and (but for a hash collision) different for any other.
    /// </summary>
    public string Fingerprint
    {
        get
        {
            string text = string.Join('\n', Grid().Select(g => $"{g.Key}={g.Value}")) + $"\nparts={Shard.Count.ToString(CultureInfo.InvariantCulture)}\n";
            return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
        }
    }

    /// <summary>The file's text.</summary>
    public string ToText()
    {
        var text = new StringBuilder();
        text.Append(Comment).Append('\n');
        text.Append("shard=").Append(Shard.ToString()).Append('\n');
        text.Append("fingerprint=").Append(Fingerprint).Append('\n');
        foreach (var (key, value) in Grid()) text.Append(key).Append('=').Append(value).Append('\n');
        return text.ToString();
    }

    /// <summary>Writes the manifest into <paramref name="folder"/>, atomically.</summary>
    public void Write(string folder) =>
        AtomicFile.Write(Path.Combine(folder, FileName), stream => stream.Write(Encoding.UTF8.GetBytes(ToText())));

    /// <summary>The grid keys whose values differ between this manifest and <paramref name="other"/> (the number of parts as <c>parts</c>).</summary>
    public IReadOnlyList<string> Differences(SweepManifest other)
    {
        // A text sweep's grid lacks the token lines a token-file sweep's has: a missing line reads as "none".
        var mine = Grid().ToDictionary(g => g.Key, g => g.Value);
        var theirs = other.Grid().ToDictionary(g => g.Key, g => g.Value);
        var differences = mine.Keys.Concat(theirs.Keys.Where(k => !mine.ContainsKey(k)))
            .Select(k => (Key: k, First: mine.GetValueOrDefault(k, None), Second: theirs.GetValueOrDefault(k, None)))
            .Where(p => p.First != p.Second)
            .Select(p => $"{p.Key} {p.First} vs {p.Second}").ToList();
        if (Shard.Count != other.Shard.Count)
            differences.Add(string.Create(CultureInfo.InvariantCulture, $"parts {Shard.Count} vs {other.Shard.Count}"));
        return differences;
    }

    /// <summary>Reads a manifest; an unreadable or altered one is an <see cref="InvalidDataException"/> naming the file.</summary>
    public static SweepManifest Read(string path)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string raw in File.ReadAllLines(path))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            int equals = line.IndexOf('=');
            if (equals <= 0) throw new InvalidDataException($"{path}: '{line}' is not key=value.");
            values[line[..equals]] = line[(equals + 1)..];
        }
        try
        {
            string Get(string key) => values.TryGetValue(key, out string? v) ? v : throw new FormatException($"it has no {key}= line");
            var settings = new SweepSettings
            {
                Model = Get("model"),
                Parameterizations = List(Get("parameterizations"), ParameterizationNames.Parse),
                Sparsities = List(Get("sparsities"), t => double.Parse(t, NumberStyles.Float, CultureInfo.InvariantCulture)),
                Widths = List(Get("widths"), ParseInt),
                Log2LearningRates = List(Get("log2_lrs"), ParseInt),
                Seeds = ParseInt(Get("seeds")),
                Steps = long.Parse(Get("steps"), CultureInfo.InvariantCulture),
                Depth = ParseInt(Get("depth")),
                Batch = ParseInt(Get("batch")),
                Context = ParseInt(Get("context")),
                Data = Get("data") == Bundled ? null : Get("data"),
            };
            if (values.ContainsKey("depth_rules"))
            {
                settings = settings with
                {
                    Depths = Get("depths") == Shared ? null : List(Get("depths"), ParseInt),
                    DepthRules = List(Get("depth_rules"), DepthRuleNames.Parse),
                };
            }
            if (values.ContainsKey("tokens"))
            {
                settings = settings with
                {
                    Tokens = Get("tokens"),
                    Tokenizer = Get("tokenizer"),
                    Vocabulary = Get("vocabulary") == Declared ? null : ParseInt(Get("vocabulary")),
                };
            }
            string[] shard = Get("shard").Split('/');
            if (shard.Length != 2) throw new FormatException($"shard={Get("shard")} is not K/N");
            var manifest = new SweepManifest(settings, new SweepShard(ParseInt(shard[0]), ParseInt(shard[1])));
            if (manifest.Fingerprint != Get("fingerprint"))
                throw new FormatException($"its fingerprint {Get("fingerprint")} does not match its grid ({manifest.Fingerprint}): the file was edited");
            return manifest;
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            throw new InvalidDataException($"{path} is not a readable sweep shard manifest: {e.Message}.");
        }
    }

    private const string Bundled = "bundled", Declared = "declared", None = "none", Shared = "shared";

    private static List<T> List<T>(string text, Func<string, T> parse) => text.Split(',').Select(parse).ToList();

    private static int ParseInt(string text) => int.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    private static string Join(IEnumerable<int> values) => string.Join(',', values.Select(v => I(v)));

    private static string I(long value) => value.ToString(CultureInfo.InvariantCulture);
}
