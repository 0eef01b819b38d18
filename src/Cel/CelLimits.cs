namespace WorkloadFederation.Cel;

/// <summary>
/// Resource limits applied when compiling and evaluating CEL. Every limit is finite; exceeding one yields a
/// compile error or an evaluation error value that names the limit.
/// </summary>
public sealed record CelLimits
{
    /// <summary>The default limits: generous for interactive use, still bounded.</summary>
    public static CelLimits Default { get; } = new();

    /// <summary>Maximum size of the source text in UTF-8 bytes (trust conditions use 1024).</summary>
    public int MaxSourceBytes { get; init; } = 16 * 1024;

    /// <summary>Maximum nesting depth of the syntax tree (parentheses, operators, calls, member chains).</summary>
    public int MaxNestingDepth { get; init; } = 128;

    /// <summary>Maximum number of syntax tree nodes after macro expansion.</summary>
    public int MaxAstNodes { get; init; } = 4096;

    /// <summary>Runtime cost budget for one evaluation: function calls, comprehension iterations and sizes of built values.</summary>
    public long MaxCost { get; init; } = 100_000;

    /// <summary>Maximum length, in characters, of a regular expression pattern used by <c>matches</c>.</summary>
    public int MaxRegexPatternLength { get; init; } = 1024;

    /// <summary>Match timeout for regular expressions, a second guard after the linear-time engine.</summary>
    public TimeSpan RegexMatchTimeout { get; init; } = TimeSpan.FromSeconds(1);

    internal IEnumerable<string> Validate()
    {
        if (MaxSourceBytes <= 0) yield return nameof(MaxSourceBytes) + " must be positive";
        if (MaxNestingDepth <= 0 || MaxNestingDepth > 1000) yield return nameof(MaxNestingDepth) + " must be in 1..1000";
        if (MaxAstNodes <= 0) yield return nameof(MaxAstNodes) + " must be positive";
        if (MaxCost <= 0) yield return nameof(MaxCost) + " must be positive";
        if (MaxRegexPatternLength <= 0) yield return nameof(MaxRegexPatternLength) + " must be positive";
        if (RegexMatchTimeout <= TimeSpan.Zero) yield return nameof(RegexMatchTimeout) + " must be positive";
    }
}
