namespace WorkloadFederation.Cel;

/// <summary>A compile error with its position in the source.</summary>
/// <param name="Code">Stable error code, one of <see cref="CelErrorCodes"/>.</param>
/// <param name="Message">Human-readable description.</param>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column (in UTF-16 code units of the line).</param>
/// <param name="Offset">0-based offset into the source string.</param>
/// <param name="Snippet">The source line followed by a caret line pointing at the column.</param>
/// <param name="Hint">A suggestion for a common slip, or null.</param>
public sealed record CelDiagnostic(string Code, string Message, int Line, int Column, int Offset, string Snippet, string? Hint)
{
    /// <summary>Formats the diagnostic as <c>line:column: message</c>, the snippet and the hint.</summary>
    public override string ToString()
    {
        var text = $"ERROR: <input>:{Line}:{Column}: {Message}";
        if (Snippet.Length > 0) text += "\n" + Snippet;
        if (Hint is not null) text += "\n hint: " + Hint;
        return text;
    }

    internal static CelDiagnostic Create(string source, int offset, string code, string message, string? hint = null)
    {
        offset = Math.Clamp(offset, 0, source.Length);
        var lineStart = source.LastIndexOf('\n', Math.Max(0, offset - 1));
        if (offset == 0 || lineStart < 0) lineStart = -1;
        if (offset > 0 && source[offset - 1] == '\n') lineStart = offset - 1;
        var start = lineStart + 1;
        var end = source.IndexOf('\n', start);
        if (end < 0) end = source.Length;
        var line = 1;
        for (var i = 0; i < start; i++)
        {
            if (source[i] == '\n') line++;
        }

        var column = offset - start + 1;
        var lineText = source[start..end].TrimEnd('\r');
        const int MaxSnippet = 160;
        var caretCol = column - 1;
        if (lineText.Length > MaxSnippet)
        {
            var from = Math.Max(0, Math.Min(caretCol - MaxSnippet / 2, lineText.Length - MaxSnippet));
            lineText = lineText.Substring(from, MaxSnippet);
            caretCol -= from;
        }

        var printable = new System.Text.StringBuilder(lineText.Length);
        foreach (var ch in lineText)
        {
            printable.Append(char.IsControl(ch) ? ' ' : ch);
        }

        var snippet = " | " + printable + "\n | " + new string('.', Math.Max(0, caretCol)) + "^";
        return new CelDiagnostic(code, message, line, column, offset, snippet, hint);
    }
}

/// <summary>Stable codes of compile errors.</summary>
public static class CelErrorCodes
{
    /// <summary>The source text is not valid CEL syntax.</summary>
    public const string Syntax = "syntax_error";
    /// <summary>The source exceeds <see cref="CelLimits.MaxSourceBytes"/>.</summary>
    public const string SourceTooLarge = "source_too_large";
    /// <summary>The expression nests deeper than <see cref="CelLimits.MaxNestingDepth"/>.</summary>
    public const string NestingTooDeep = "nesting_too_deep";
    /// <summary>The expression has more nodes than <see cref="CelLimits.MaxAstNodes"/>.</summary>
    public const string TooManyNodes = "too_many_nodes";
    /// <summary>An identifier is not declared.</summary>
    public const string UndeclaredReference = "undeclared_reference";
    /// <summary>A function name is not known.</summary>
    public const string UnknownFunction = "unknown_function";
    /// <summary>A function is called with the wrong number of arguments.</summary>
    public const string WrongArity = "wrong_arity";
    /// <summary>No overload of a function or operator accepts the argument types.</summary>
    public const string NoMatchingOverload = "no_matching_overload";
    /// <summary>A condition's result can never be a bool.</summary>
    public const string NotBool = "result_not_bool";
    /// <summary>A regular expression is invalid or exceeds <see cref="CelLimits.MaxRegexPatternLength"/>.</summary>
    public const string InvalidRegex = "invalid_regex";
    /// <summary>A construct outside what this engine models (protobuf messages).</summary>
    public const string Unsupported = "unsupported";
    /// <summary>An engine fault; reported instead of an exception so that compiling never throws.</summary>
    public const string Internal = "internal_error";
}
