using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;

namespace WorkloadFederation.Cel.Runtime;

/// <summary>
/// RE2-style patterns on .NET's linear-time <see cref="RegexOptions.NonBacktracking"/> engine, with a match timeout
/// as a second guard. Compiled patterns are shared across programs through a bounded cache.
/// </summary>
internal static class RegexSupport
{
    private const int CacheCapacity = 512;
    private static readonly ConcurrentDictionary<(string, TimeSpan), Regex> Cache = new();

    /// <summary>Compiles a pattern or returns an error message.</summary>
    public static Regex? TryGet(string pattern, CelLimits limits, out string? error)
    {
        error = null;
        if (pattern.Length > limits.MaxRegexPatternLength)
        {
            error = $"regular expression longer than {limits.MaxRegexPatternLength} characters (limit MaxRegexPatternLength)";
            return null;
        }

        var key = (pattern, limits.RegexMatchTimeout);
        if (Cache.TryGetValue(key, out var cached)) return cached;
        Regex regex;
        try
        {
            regex = new Regex(Translate(pattern), RegexOptions.NonBacktracking | RegexOptions.CultureInvariant, limits.RegexMatchTimeout);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
        {
            error = "invalid regular expression: " + ex.Message;
            return null;
        }

        if (Cache.Count >= CacheCapacity) Cache.Clear();
        Cache.TryAdd(key, regex);
        return regex;
    }

    public static CelValue Matches(Regex regex, string input)
    {
        try
        {
            return BoolValue.Of(regex.IsMatch(input));
        }
        catch (RegexMatchTimeoutException)
        {
            return Errors.InvalidArgument("regular expression match timed out");
        }
    }

    private static string? PosixClass(string name) => name switch
    {
        "alnum" => "0-9A-Za-z",
        "alpha" => "A-Za-z",
        "ascii" => "\\x00-\\x7F",
        "blank" => "\\t ",
        "cntrl" => "\\x00-\\x1F\\x7F",
        "digit" => "0-9",
        "graph" => "!-~",
        "lower" => "a-z",
        "print" => " -~",
        "punct" => "!-/:-@\\[-`{-~",
        "space" => "\\t\\n\\v\\f\\r ",
        "upper" => "A-Z",
        "word" => "0-9A-Za-z_",
        "xdigit" => "0-9A-Fa-f",
        _ => null,
    };

    /// <summary>
    /// Rewrites the RE2 forms .NET spells differently: <c>(?P&lt;name&gt;</c> named groups, one-letter Unicode
    /// classes <c>\pL</c>, ASCII-only <c>\d</c>, POSIX classes <c>[[:alpha:]]</c>, <c>\Q...\E</c> quoting, and
    /// <c>$</c> as end of text (not before a final newline) unless the pattern turns on multi-line mode.
    /// </summary>
    public static string Translate(string pattern)
    {
        var multiline = pattern.Contains("(?m", StringComparison.Ordinal) || pattern.Contains("(?sm", StringComparison.Ordinal)
            || pattern.Contains("(?im", StringComparison.Ordinal);
        var sb = new StringBuilder(pattern.Length + 8);
        var inClass = false;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (inClass && c == '[' && i + 1 < pattern.Length && pattern[i + 1] == ':')
            {
                var end = pattern.IndexOf(":]", i + 2, StringComparison.Ordinal);
                if (end > 0 && PosixClass(pattern[(i + 2)..end]) is { } set)
                {
                    sb.Append(set);
                    i = end + 1;
                    continue;
                }
            }

            if (c == '\\' && i + 1 < pattern.Length && pattern[i + 1] == 'Q' && !inClass)
            {
                // \Q...\E quotes a literal run.
                var end = pattern.IndexOf("\\E", i + 2, StringComparison.Ordinal);
                var literal = end < 0 ? pattern[(i + 2)..] : pattern[(i + 2)..end];
                sb.Append(Regex.Escape(literal));
                i = end < 0 ? pattern.Length : end + 1;
                continue;
            }

            if (c == '\\' && i + 1 < pattern.Length)
            {
                var n = pattern[i + 1];
                if ((n == 'p' || n == 'P') && i + 2 < pattern.Length && pattern[i + 2] != '{')
                {
                    sb.Append('\\').Append(n).Append('{').Append(pattern[i + 2]).Append('}');
                    i += 2;
                    continue;
                }

                if (n == 'd' && !inClass)
                {
                    sb.Append("[0-9]");
                    i++;
                    continue;
                }

                if (n == 'd')
                {
                    sb.Append("0-9");
                    i++;
                    continue;
                }

                if (n == 'z')
                {
                    sb.Append("\\z");
                    i++;
                    continue;
                }

                sb.Append(c).Append(n);
                i++;
                continue;
            }

            if (inClass)
            {
                if (c == ']') inClass = false;
                sb.Append(c);
                continue;
            }

            if (c == '[')
            {
                inClass = true;
                sb.Append(c);
                if (i + 1 < pattern.Length && pattern[i + 1] == '^')
                {
                    sb.Append('^');
                    i++;
                }

                if (i + 1 < pattern.Length && pattern[i + 1] == ']')
                {
                    sb.Append("\\]");
                    i++;
                }

                continue;
            }

            if (c == '(' && pattern.AsSpan(i).StartsWith("(?P<"))
            {
                sb.Append("(?<");
                i += 3;
                continue;
            }

            if (c == '$' && !multiline)
            {
                sb.Append("\\z");
                continue;
            }

            sb.Append(c);
        }

        return sb.ToString();
    }
}
