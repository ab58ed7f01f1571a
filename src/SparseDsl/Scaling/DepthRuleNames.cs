namespace SparseDsl;

/// <summary>
/// The one table of <see cref="DepthRule"/> names: the display name a person reads (none, depth-μP, CompleteP) and the
/// ASCII token files and command lines carry (none, depth-mup, completep). Parsing accepts either, in any case.
/// </summary>
public static class DepthRuleNames
{
    private static readonly (DepthRule Value, string Display, string Token)[] Table =
    [
        (DepthRule.None, "none", "none"),
        (DepthRule.DepthMuP, "depth-μP", "depth-mup"),
        (DepthRule.CompleteP, "CompleteP", "completep"),
    ];

    /// <summary>Every depth rule: none, depth-μP, CompleteP.</summary>
    public static IReadOnlyList<DepthRule> All { get; } = [.. Table.Select(row => row.Value)];

    /// <summary>The name a person reads: none, depth-μP or CompleteP.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a defined depth rule.</exception>
    public static string DisplayName(this DepthRule rule) => Row(rule).Display;

    /// <summary>The ASCII name for files and command lines: none, depth-mup or completep.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a defined depth rule.</exception>
    public static string Token(this DepthRule rule) => Row(rule).Token;

    /// <summary>The rule <paramref name="text"/> names, by token or display name, ignoring case; false for anything else.</summary>
    public static bool TryParse(string? text, out DepthRule rule)
    {
        foreach (var row in Table)
        {
            if (string.Equals(text, row.Token, StringComparison.OrdinalIgnoreCase) || string.Equals(text, row.Display, StringComparison.OrdinalIgnoreCase)
                || string.Equals(text, row.Display.Replace('\u03BC', '\u00B5'), StringComparison.OrdinalIgnoreCase))
            {
                rule = row.Value;
                return true;
            }
        }
        rule = default;
        return false;
    }

    /// <summary>The rule <paramref name="text"/> names; see <see cref="TryParse"/>.</summary>
    /// <exception cref="FormatException">It names none; the message lists the choices.</exception>
    public static DepthRule Parse(string? text) => TryParse(text, out var rule)
        ? rule
        : throw new FormatException($"Unknown depth rule '{text}'; expected {string.Join(", ", Table.Select(row => row.Token))}.");

    private static (DepthRule Value, string Display, string Token) Row(DepthRule rule)
    {
        foreach (var row in Table)
            if (row.Value == rule) return row;
        throw new ArgumentOutOfRangeException(nameof(rule), rule, "Not a defined depth rule.");
    }
}
