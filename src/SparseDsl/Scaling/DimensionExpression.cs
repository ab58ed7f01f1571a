using System;
using System.Globalization;

namespace SparseDsl;

/// <summary>
/// Parses dimension expressions: a product of factors joined by '*' or '/', each factor a positive integer or the
/// name <c>width</c>; <c>width</c> may appear once and never as a divisor. "784", "width", "4*width", "width/2",
/// "2*width/3". Without <c>width</c> the integers must divide exactly. The name <c>vocab</c> stands alone: the model's
/// vocabulary, a finite size known only at run time.
/// </summary>
/// <remarks>
/// The one parser: the runtime (<c>Dimension.Parse</c>) and the source generator (which links this file) both use it,
/// so an expression the compiler accepts is one the runtime reads the same way.
/// </remarks>
internal static class DimensionExpression
{
    /// <summary>The name of the model's vocabulary, a finite dimension whose size is set at run time.</summary>
    public const string Vocabulary = "vocab";

    /// <summary>Parses <paramref name="text"/>; <paramref name="vocabulary"/> is true for <c>vocab</c> (then the sizes are 0, 0, 1).</summary>
    public static bool TryParse(string? text, out int fixedSize, out int numerator, out int denominator, out bool vocabulary, out string error)
    {
        fixedSize = 0;
        numerator = 0;
        denominator = 1;
        vocabulary = false;
        if (text is null || text.Trim().Length == 0)
        {
            error = "it is empty";
            return false;
        }
        if (text.Trim() == Vocabulary)
        {
            vocabulary = true;
            error = "";
            return true;
        }

        long num = 1, den = 1;
        bool hasWidth = false;
        char op = '*';
        int i = 0;
        string s = text;
        while (true)
        {
            SkipSpaces(s, ref i);
            int start = i;
            while (i < s.Length && (char.IsLetterOrDigit(s[i]) || s[i] == '_')) i++;
            string token = s.Substring(start, i - start);
            if (token.Length == 0)
            {
                error = i < s.Length ? $"unexpected '{s[i]}' at position {i + 1}" : "it ends with an operator";
                return false;
            }

            if (token == "width")
            {
                if (hasWidth) { error = "'width' appears more than once (dimensions are linear in width)"; return false; }
                if (op == '/') { error = "it divides by 'width'"; return false; }
                hasWidth = true;
            }
            else if (char.IsDigit(token[0]))
            {
                if (!long.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out long value) || value > int.MaxValue)
                {
                    error = $"'{token}' is not a whole number that fits in an int";
                    return false;
                }
                if (value == 0) { error = "a factor is zero"; return false; }
                if (op == '*') num *= value; else den *= value;
                if (num > int.MaxValue || den > int.MaxValue) { error = "it is too large"; return false; }
            }
            else if (token == Vocabulary)
            {
                error = $"'{Vocabulary}' stands alone: the vocabulary is not multiplied, divided or combined with width";
                return false;
            }
            else
            {
                error = $"unknown name '{token}' (only 'width' and '{Vocabulary}' are known)";
                return false;
            }

            SkipSpaces(s, ref i);
            if (i == s.Length) break;
            if (s[i] != '*' && s[i] != '/') { error = $"unexpected '{s[i]}' at position {i + 1}"; return false; }
            op = s[i];
            i++;
        }

        long gcd = Gcd(num, den);
        num /= gcd;
        den /= gcd;
        if (hasWidth)
        {
            numerator = (int)num;
            denominator = (int)den;
        }
        else
        {
            if (den != 1) { error = $"{text.Trim()} is not a whole number"; return false; }
            fixedSize = (int)num;
        }
        error = "";
        return true;
    }

    private static void SkipSpaces(string s, ref int i)
    {
        while (i < s.Length && char.IsWhiteSpace(s[i])) i++;
    }

    private static long Gcd(long a, long b) => b == 0 ? Math.Abs(a) : Gcd(b, a % b);
}
