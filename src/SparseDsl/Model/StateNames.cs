using System.Text;

namespace SparseDsl;

/// <summary>
/// How a property becomes a state-dict name. The generator compiles this same file (linked), so a name written in an
/// attribute (<c>TiedTo = nameof(Embed)</c>) resolves at run time exactly as the generator named the layer.
/// </summary>
internal static class StateNames
{
    /// <summary>PyTorch-style state-dict names: <c>LmHead</c> → <c>lm_head</c>, <c>MLPUp</c> → <c>mlp_up</c>.</summary>
    public static string SnakeCase(string name)
    {
        var sb = new StringBuilder(name.Length + 4);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (char.IsUpper(c))
            {
                bool prevLowerOrDigit = i > 0 && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1]));
                bool acronymEnd = i > 0 && char.IsUpper(name[i - 1]) && i + 1 < name.Length && char.IsLower(name[i + 1]);
                if ((prevLowerOrDigit || acronymEnd) && sb.Length > 0 && sb[sb.Length - 1] != '_') sb.Append('_');
                sb.Append(char.ToLowerInvariant(c));
            }
            else
            {
                sb.Append(c);
            }
        }
        return sb.ToString();
    }

}
