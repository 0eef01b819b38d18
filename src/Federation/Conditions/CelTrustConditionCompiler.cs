using System.Text;
using System.Text.Json;
using WorkloadFederation.Cel;

namespace WorkloadFederation.Federation.Conditions;

/// <summary>
/// Compiles trust conditions with the CEL engine (DESIGN.md vocabulary: a CEL condition over <c>claims</c>, at most
/// <see cref="MaxSourceBytes"/> UTF-8 bytes). One environment for every trust: <c>claims</c> is
/// <c>map(string, dyn)</c>; the result must be a bool. Thread-safe.
/// </summary>
public sealed class CelTrustConditionCompiler : ITrustConditionCompiler
{
    /// <summary>The condition size limit (API.md "condition": CEL ≤ 1024 bytes).</summary>
    public const int MaxSourceBytes = 1024;

    /// <summary>The variable the claims are bound to.</summary>
    public const string ClaimsVariable = "claims";

    private const int MaxKeysListed = 20;
    private const int MaxClaimsShown = 8;
    private const int MaxValueShown = 64;

    private readonly CelEnvironment _environment;

    /// <summary>Creates the compiler with the trust condition environment.</summary>
    public CelTrustConditionCompiler()
    {
        _environment = CelEnvironment.CreateBuilder()
            .DeclareVariable(ClaimsVariable, CelType.Map(CelType.String, CelType.Dyn))
            // The engine's regexes are linear-time (NonBacktracking); the match timeout only guards against a stalled
            // thread, and the lazy automaton build of a first match can take long under CPU pressure: 1 s, not 100 ms,
            // so that a loaded node does not deny a valid token.
            .WithLimits(CelLimits.Default with { MaxSourceBytes = MaxSourceBytes, RegexMatchTimeout = TimeSpan.FromSeconds(1) })
            .Build();
    }

    /// <summary>A shared instance.</summary>
    public static CelTrustConditionCompiler Instance { get; } = new();

    /// <inheritdoc />
    public CompiledCondition Compile(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var result = _environment.CompileCondition(source);
        if (result.Success)
        {
            return new CelCondition(source, result.Program!, []);
        }

        var errors = result.Errors
            .Select(e => new ConditionError(e.Code, e.Message, e.Line, e.Column, e.Offset, e.Snippet, e.Hint))
            .ToList();
        return new CelCondition(source, null, errors);
    }

    private sealed class CelCondition(string source, CelProgram? program, IReadOnlyList<ConditionError> errors) : CompiledCondition
    {
        public override string Source => source;

        public override bool IsCompiled => program is not null;

        public override IReadOnlyList<ConditionError> Errors => errors;

        public override ConditionEvaluation Evaluate(JsonElement claims)
        {
            if (program is null)
            {
                return ConditionEvaluation.Failed(
                    "the condition does not compile: " + string.Join("; ", errors.Select(e => e.ToString())));
            }

            if (claims.ValueKind != JsonValueKind.Object)
            {
                return ConditionEvaluation.Failed("claims is not a JSON object");
            }

            CelEvalResult result;
            try
            {
                var activation = CelActivation.Create().Bind(ClaimsVariable, CelValue.FromJson(claims));
                result = program.Evaluate(activation);
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FormatException or OverflowException or JsonException)
            {
                return ConditionEvaluation.Failed("the claims could not be given to the condition: " + ex.Message);
            }

            if (result.IsError)
            {
                return ConditionEvaluation.Failed(DescribeError(result.ErrorMessage ?? "evaluation error", claims, source));
            }

            if (result.IsTrue)
            {
                return ConditionEvaluation.Met();
            }

            var verdict = ReferenceEquals(result.Value, CelValue.False)
                ? "condition evaluated to false"
                : $"condition evaluated to {result.Value}, not true";
            return ConditionEvaluation.NotMet(verdict + DescribeReadClaims(claims, source));
        }

        /// <summary>
        /// "; claims it reads: environment = "staging", repository = "acme/infra"" — the values a person needs to see why
        /// the condition is false (trust test runner, audit detail; never the caller's error response).
        /// </summary>
        private static string DescribeReadClaims(JsonElement claims, string source)
        {
            var keys = ReadTopLevelKeys(source);
            if (keys.Count == 0)
            {
                return string.Empty;
            }

            var builder = new StringBuilder("; claims it reads: ");
            for (var i = 0; i < keys.Count; i++)
            {
                if (i > 0)
                {
                    builder.Append(", ");
                }

                builder.Append(keys[i]);
                if (claims.TryGetProperty(keys[i], out var value))
                {
                    var raw = value.GetRawText();
                    builder.Append(" = ").Append(raw.Length <= MaxValueShown ? raw : string.Concat(raw.AsSpan(0, MaxValueShown), "..."));
                }
                else
                {
                    builder.Append(" (absent)");
                }
            }

            return builder.ToString();
        }

        /// <summary>Top-level claim names the source reads as <c>claims.name</c>, <c>claims['name']</c> or <c>claims["name"]</c>, in order.</summary>
        private static List<string> ReadTopLevelKeys(string source)
        {
            var keys = new List<string>();
            var prefix = ClaimsVariable + ".";
            for (var at = source.IndexOf(ClaimsVariable, StringComparison.Ordinal);
                 at >= 0 && keys.Count < MaxClaimsShown;
                 at = source.IndexOf(ClaimsVariable, at + 1, StringComparison.Ordinal))
            {
                if (at > 0 && (IsIdentifierChar(source[at - 1]) || source[at - 1] == '.'))
                {
                    continue;
                }

                string? key = null;
                var rest = source.AsSpan(at + ClaimsVariable.Length);
                if (source.AsSpan(at).StartsWith(prefix, StringComparison.Ordinal))
                {
                    var length = 0;
                    while (length < rest.Length - 1 && IsIdentifierChar(rest[1 + length]))
                    {
                        length++;
                    }

                    key = length > 0 ? rest.Slice(1, length).ToString() : null;
                }
                else if (rest.Length > 2 && rest[0] == '[' && rest[1] is '\'' or '"')
                {
                    var close = rest[2..].IndexOf(rest[1]);
                    key = close > 0 ? rest.Slice(2, close).ToString() : null;
                }

                if (key is not null && !keys.Contains(key, StringComparer.Ordinal))
                {
                    keys.Add(key);
                }
            }

            return keys;
        }

        private static string DescribeError(string message, JsonElement claims, string source)
        {
            // A missing claim is the most common mistake: name the keys that are present (names only, no values).
            const string NoSuchKey = "no such key: ";
            if (!message.StartsWith(NoSuchKey, StringComparison.Ordinal)
                || claims.TryGetProperty(message[NoSuchKey.Length..], out _)
                || !ReadsTopLevelKey(source, message[NoSuchKey.Length..]))
            {
                // Not a missing top-level claim (e.g. a nested key): the engine's message is the precise one.
                return message;
            }

            var keys = claims.EnumerateObject().Select(p => p.Name).Take(MaxKeysListed + 1).ToList();
            var listed = string.Join(", ", keys.Take(MaxKeysListed));
            var more = keys.Count > MaxKeysListed ? ", ..." : string.Empty;
            var builder = new StringBuilder();
            builder.Append("claims has no key '").Append(message[NoSuchKey.Length..]).Append("'; keys present: ").Append(listed).Append(more);
            return builder.ToString();
        }
    
        private static bool ReadsTopLevelKey(string source, string key)
        {
            if (source.Contains($"claims['{key}']", StringComparison.Ordinal) || source.Contains($"claims[\"{key}\"]", StringComparison.Ordinal))
            {
                return true;
            }

            var needle = ClaimsVariable + "." + key;
            for (var at = source.IndexOf(needle, StringComparison.Ordinal); at >= 0; at = source.IndexOf(needle, at + 1, StringComparison.Ordinal))
            {
                var end = at + needle.Length;
                var before = at == 0 ? ' ' : source[at - 1];
                var after = end < source.Length ? source[end] : ' ';
                if (!IsIdentifierChar(before) && before != '.' && !IsIdentifierChar(after))
                {
                    return true;
                }
            }

            return false;
        }

        private static bool IsIdentifierChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';
    }
}
