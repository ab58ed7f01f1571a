using Microsoft.CodeAnalysis;

namespace SparseDsl.Benchmarks.Generator.Checking;

/// <summary>How many outputs of each tracked incremental step ran for each <see cref="IncrementalStepRunReason"/>.</summary>
internal sealed class StepTally
{
    private static readonly IncrementalStepRunReason[] Reasons = Enum.GetValues<IncrementalStepRunReason>();
    private readonly SortedDictionary<string, Dictionary<IncrementalStepRunReason, int>> _counts = new(StringComparer.Ordinal);

    /// <summary>Counts the outputs of the tracked steps whose names <paramref name="include"/> accepts.</summary>
    public static StepTally Of(IEnumerable<KeyValuePair<string, System.Collections.Immutable.ImmutableArray<IncrementalGeneratorRunStep>>> steps, Func<string, bool> include)
    {
        var tally = new StepTally();
        foreach (var (name, runs) in steps.Where(kv => include(kv.Key)))
            foreach (var output in runs.SelectMany(s => s.Outputs))
                tally.Add(name, output.Reason);
        return tally;
    }

    /// <summary>Every step name seen.</summary>
    public IEnumerable<string> StepNames => _counts.Keys;

    /// <summary>How many outputs of <paramref name="step"/> had <paramref name="reason"/>.</summary>
    public int Count(string step, IncrementalStepRunReason reason) =>
        _counts.TryGetValue(step, out var byReason) && byReason.TryGetValue(reason, out int n) ? n : 0;

    /// <summary>How many outputs of <paramref name="step"/> there were in all.</summary>
    public int Total(string step) => _counts.TryGetValue(step, out var byReason) ? byReason.Values.Sum() : 0;

    /// <summary>A fixed-width table: one row per step, one column per reason.</summary>
    public void WriteTable(TextWriter output, string indent)
    {
        int nameWidth = Math.Max(4, _counts.Keys.Select(k => k.Length).DefaultIfEmpty(0).Max());
        output.WriteLine(indent + "step".PadRight(nameWidth) + string.Concat(Reasons.Select(r => r.ToString().PadLeft(11))));
        foreach (string step in _counts.Keys)
            output.WriteLine(indent + step.PadRight(nameWidth) + string.Concat(Reasons.Select(r => Count(step, r).ToString().PadLeft(11))));
    }

    private void Add(string step, IncrementalStepRunReason reason)
    {
        if (!_counts.TryGetValue(step, out var byReason)) _counts[step] = byReason = [];
        byReason[reason] = byReason.GetValueOrDefault(reason) + 1;
    }
}
