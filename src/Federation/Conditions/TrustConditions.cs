namespace WorkloadFederation.Federation.Conditions;

/// <summary>The admin API's check of a trust condition before it is saved (API.md: a compile error is a 400 naming the position).</summary>
public static class TrustConditions
{
    /// <summary>
    /// Compiles <paramref name="condition"/> with <paramref name="compiler"/>; null when it compiles, otherwise the first
    /// error (line, column, offset, message, snippet, hint) for the problem+json body.
    /// </summary>
    public static ConditionError? Check(ITrustConditionCompiler compiler, string? condition)
    {
        ArgumentNullException.ThrowIfNull(compiler);
        if (string.IsNullOrWhiteSpace(condition))
        {
            return new ConditionError("empty", "the condition is empty", 1, 1, 0, null, "e.g. claims.repository == \"acme/app\"");
        }

        var compiled = compiler.Compile(condition);
        return compiled.IsCompiled ? null : compiled.Errors.FirstOrDefault()
            ?? new ConditionError("invalid", "the condition does not compile", 1, 1, 0, null, null);
    }

    /// <summary>A one-line message naming the position, e.g. <c>condition: line 1, column 19: unexpected token</c>.</summary>
    public static string Describe(ConditionError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return $"condition: line {error.Line}, column {error.Column}: {error.Message}";
    }
}
