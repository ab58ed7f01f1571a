namespace SparseDsl.Benchmarks.Generator.Checking;

/// <summary>Writes one line per condition checked, marked ok or FAIL, and remembers whether any failed.</summary>
internal sealed class CheckReport(TextWriter output)
{
    private readonly List<string> _failures = [];

    /// <summary>The conditions that failed, in the order they were checked.</summary>
    public IReadOnlyList<string> Failures => _failures;

    /// <summary>Where the report goes, for tables written between checks.</summary>
    public TextWriter Output { get; } = output;

    /// <summary>Records and prints one condition.</summary>
    public void Expect(bool condition, string description)
    {
        Output.WriteLine($"  [{(condition ? "ok" : "FAIL")}] {description}");
        if (!condition) _failures.Add(description);
    }

    /// <summary>Prints a section heading.</summary>
    public void Section(string title) => Output.WriteLine(title);

    /// <summary>Prints the verdict; true when nothing failed.</summary>
    public bool Summarise()
    {
        Output.WriteLine();
        if (_failures.Count == 0)
        {
            Output.WriteLine("Caching check: PASS");
            return true;
        }
        Output.WriteLine($"Caching check: FAIL ({_failures.Count} condition(s))");
        foreach (var failure in _failures) Output.WriteLine("  - " + failure);
        return false;
    }
}
