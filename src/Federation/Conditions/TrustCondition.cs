using System.Text.Json;

namespace WorkloadFederation.Federation.Conditions;

/// <summary>The outcome of evaluating a trust condition on <c>claims</c>.</summary>
public enum ConditionOutcome
{
    /// <summary>The condition did not run or failed (deny by default).</summary>
    Error = 0,

    /// <summary>The condition evaluated to <c>false</c> (or a non-boolean).</summary>
    NotMet,

    /// <summary>The condition evaluated to <c>true</c>.</summary>
    Met,
}

/// <summary>The result of one evaluation. Starts as an error; <see cref="Met"/>/<see cref="NotMet"/> are explicit.</summary>
public readonly record struct ConditionEvaluation(ConditionOutcome Outcome, string Detail)
{
    /// <summary>The condition held.</summary>
    public static ConditionEvaluation Met() => new(ConditionOutcome.Met, "condition is true");

    /// <summary>The condition did not hold.</summary>
    public static ConditionEvaluation NotMet(string detail) => new(ConditionOutcome.NotMet, detail);

    /// <summary>The condition could not be evaluated.</summary>
    public static ConditionEvaluation Failed(string detail) => new(ConditionOutcome.Error, detail);
}

/// <summary>A position in a condition's source (1-based line and column, 0-based UTF-16 offset).</summary>
public sealed record ConditionError(string Code, string Message, int Line, int Column, int Offset, string? Snippet, string? Hint)
{
    /// <inheritdoc />
    public override string ToString() => $"{Line}:{Column}: {Message}";
}

/// <summary>
/// A trust condition compiled once per configuration change (STYLE.md "Hot paths") and evaluated per exchange.
/// Immutable and thread-safe.
/// </summary>
public abstract class CompiledCondition
{
    /// <summary>The source text.</summary>
    public abstract string Source { get; }

    /// <summary>True when the source compiled; otherwise every evaluation is an error.</summary>
    public abstract bool IsCompiled { get; }

    /// <summary>The compile errors (empty when compiled).</summary>
    public abstract IReadOnlyList<ConditionError> Errors { get; }

    /// <summary>Evaluates the condition with <c>claims</c> bound to <paramref name="claims"/> (a JSON object).</summary>
    public abstract ConditionEvaluation Evaluate(JsonElement claims);
}

/// <summary>Compiles trust conditions (DESIGN.md vocabulary: a CEL condition over <c>claims</c>, ≤ 1024 bytes).</summary>
public interface ITrustConditionCompiler
{
    /// <summary>Compiles <paramref name="source"/>; never throws for bad input.</summary>
    CompiledCondition Compile(string source);
}
