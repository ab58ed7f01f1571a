namespace SparseDsl;

/// <summary>
/// The one table of <see cref="Parameterization"/> names. A person reads the display name (SP, μP, SμPar) in plot
/// titles, tables and messages; files and command lines carry the ASCII token (SP, muP, SuPar), so CSV columns, run
/// keys and typed arguments need no Greek letter. Parsing accepts either, in any case.
/// </summary>
public static class ParameterizationNames
{
    private static readonly (Parameterization Value, string Display, string Token)[] Table =
    [
        (Parameterization.Standard, "SP", "SP"),
        (Parameterization.MuP, "μP", "muP"),
        (Parameterization.SuPar, "SμPar", "SuPar"),
    ];

    /// <summary>Every parameterization, in the paper's order (SP, μP, SμPar).</summary>
    public static IReadOnlyList<Parameterization> All { get; } = [.. Table.Select(row => row.Value)];

    /// <summary>The name a person reads: SP, μP or SμPar.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a defined parameterization.</exception>
    public static string DisplayName(this Parameterization parameterization) => Row(parameterization).Display;

    /// <summary>The ASCII name for files and command lines: SP, muP or SuPar.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a defined parameterization.</exception>
    public static string Token(this Parameterization parameterization) => Row(parameterization).Token;

    /// <summary>
    /// The parameterization <paramref name="text"/> names, by token or display name, ignoring case (so <c>supar</c>,
    /// <c>SuPar</c> and <c>SμPar</c> all parse); false for anything else.
    /// </summary>
    public static bool TryParse(string? text, out Parameterization parameterization)
    {
        foreach (var row in Table)
        {
            if (string.Equals(text, row.Token, StringComparison.OrdinalIgnoreCase) || string.Equals(text, row.Display, StringComparison.OrdinalIgnoreCase))
            {
                parameterization = row.Value;
                return true;
            }
        }
        parameterization = default;
        return false;
    }

    /// <summary>The parameterization <paramref name="text"/> names; see <see cref="TryParse"/>.</summary>
    /// <exception cref="FormatException">It names none; the message lists the choices.</exception>
    public static Parameterization Parse(string? text) => TryParse(text, out var parameterization)
        ? parameterization
        : throw new FormatException($"Unknown parameterization '{text}'; expected {string.Join(", ", Table.Select(row => row.Token))} (or {string.Join(", ", Table.Where(row => row.Display != row.Token).Select(row => row.Display))}).");

    private static (Parameterization Value, string Display, string Token) Row(Parameterization parameterization)
    {
        foreach (var row in Table)
            if (row.Value == parameterization) return row;
        throw new ArgumentOutOfRangeException(nameof(parameterization), parameterization, "Not a defined parameterization.");
    }
}
