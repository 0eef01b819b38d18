using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace WorkloadFederation.Contracts.Text;

/// <summary>
/// Makes untrusted text safe to log or store for display: every character that is not printable — C0 and C1 controls
/// (CR, LF, NUL, ESC of ANSI sequences), format characters (bidi overrides, zero-width joiners), line and paragraph
/// separators, lone surrogates — and the backslash itself become visible <c>\uXXXX</c> escapes, so the escaped form
/// is unambiguous. Structured logging keeps values apart for machine sinks but the console sink prints them raw.
/// </summary>
public static class DisplayText
{
    /// <summary>The escaped text; null stays null, and text with nothing to escape is returned as is (no allocation).</summary>
    [return: NotNullIfNotNull(nameof(text))]
    public static string? Escape(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var first = FirstUnsafe(text);
        if (first < 0)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length + 16);
        builder.Append(text, 0, first);
        for (var i = first; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                builder.Append(c).Append(text[++i]);
            }
            else if (IsUnsafe(c))
            {
                builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    /// <summary>True when <paramref name="text"/> has nothing <see cref="Escape"/> would change.</summary>
    public static bool IsSafe(string? text) => text is null || FirstUnsafe(text) < 0;

    private static int FirstUnsafe(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (IsUnsafe(c))
            {
                return i;
            }
        }

        return -1;
    }

    private static bool IsUnsafe(char c) => c == '\\' || char.IsSurrogate(c) || char.GetUnicodeCategory(c) is
        UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;
}
