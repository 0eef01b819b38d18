namespace WorkloadFederation.Federation.Jwt;

/// <summary>
/// Limits applied while reading a compact JWS. There is no "unlimited": every member has a finite default and
/// <see cref="Validate"/> refuses values outside sane bounds.
/// </summary>
public sealed record JwtReadLimits
{
    /// <summary>The defaults used by the token endpoint: 16 KiB tokens, JSON nesting depth 32.</summary>
    public static JwtReadLimits Default { get; } = new();

    /// <summary>Maximum length of the compact token in characters (which equals bytes: the alphabet is ASCII).</summary>
    public int MaxTokenLength { get; init; } = 16 * 1024;

    /// <summary>Maximum JSON nesting depth of the header and of the payload (the root object is depth 1).</summary>
    public int MaxJsonDepth { get; init; } = 32;

    /// <summary>
    /// Header parameter names this reader's caller understands when they appear in <c>crit</c> (RFC 7515 §4.1.11).
    /// Empty by default: a token that marks any extension critical is refused.
    /// </summary>
    public IReadOnlySet<string> UnderstoodCriticalHeaders { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Every problem with these limits, or an empty list.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (MaxTokenLength is < 64 or > 1024 * 1024)
        {
            problems.Add($"{nameof(MaxTokenLength)} must be between 64 and 1048576 characters.");
        }

        if (MaxJsonDepth is < 2 or > 256)
        {
            problems.Add($"{nameof(MaxJsonDepth)} must be between 2 and 256.");
        }

        return problems;
    }
}
