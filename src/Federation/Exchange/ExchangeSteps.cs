using System.Net;
using System.Text.Json;
using WorkloadFederation.Contracts.Admin;
using WorkloadFederation.Contracts.Audit;
using WorkloadFederation.Federation.Conditions;
using WorkloadFederation.Federation.Decisions;
using WorkloadFederation.Federation.Jwt;
using WorkloadFederation.Federation.ProviderKeys;
using WorkloadFederation.Federation.Snapshot;

namespace WorkloadFederation.Federation.Exchange;

/// <summary>The status of one pipeline step.</summary>
public enum StepStatus
{
    /// <summary>The step failed (the default: results start failed).</summary>
    Fail = 0,

    /// <summary>The step passed.</summary>
    Pass,

    /// <summary>The step did not run (bare claims, or an earlier step left nothing to check).</summary>
    Skipped,
}

/// <summary>
/// The outcome of one step: status, the denial reason when failed, and what a person needs to act on it
/// (<see cref="Expected"/>, <see cref="Actual"/>, <see cref="Detail"/>). Details shown to admins may quote token
/// content; the OAuth caller only ever sees <see cref="DenialCatalog"/>'s description.
/// </summary>
public readonly record struct StepOutcome(string Name, StepStatus Status, string? Reason, string? Expected, string? Actual, string Detail)
{
    /// <summary>A passed step.</summary>
    public static StepOutcome Passed(string name, string detail, string? expected = null, string? actual = null) =>
        new(name, StepStatus.Pass, null, expected, actual, detail);

    /// <summary>A failed step with its denial reason.</summary>
    public static StepOutcome Failed(string name, string reason, string detail, string? expected = null, string? actual = null) =>
        new(name, StepStatus.Fail, reason, expected, actual, detail);

    /// <summary>A step that did not run.</summary>
    public static StepOutcome Skip(string name, string detail) => new(name, StepStatus.Skipped, null, null, null, detail);
}

/// <summary>Options of the exchange pipeline.</summary>
public sealed record ExchangeOptions
{
    /// <summary>Allowed clock skew for <c>exp</c>, <c>nbf</c> and <c>iat</c> (60 s: CI runners' clocks drift by seconds, not minutes).</summary>
    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The maximum token age when a provider does not set one (DESIGN.md: 10 minutes).</summary>
    public TimeSpan DefaultMaxTokenAge { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Read limits of subject tokens.</summary>
    public JwtReadLimits ReadLimits { get; init; } = JwtReadLimits.Default;
}

/// <summary>
/// The state one run of the pipeline carries from step to step: the trust, the input (a token or bare claims), what
/// earlier steps established.
/// </summary>
public sealed class ExchangeContext
{
    internal ExchangeContext(CompiledTrust trust, string? token, JsonElement? bareClaims, IPAddress? clientIp, DateTimeOffset now, bool isTestRun)
    {
        IsTestRun = isTestRun;
        Trust = trust;
        Token = token;
        BareClaims = bareClaims;
        ClientIp = clientIp;
        Now = now;
    }

    /// <summary>The trust the client id named.</summary>
    public CompiledTrust Trust { get; }

    /// <summary>The subject token, or null when testing bare claims.</summary>
    public string? Token { get; }

    /// <summary>Bare claims (trust test runner only).</summary>
    public JsonElement? BareClaims { get; }

    /// <summary>The caller address.</summary>
    public IPAddress? ClientIp { get; }

    /// <summary>The time of the decision.</summary>
    public DateTimeOffset Now { get; }

    /// <summary>The decoded token (after <c>jwt_decode</c>).</summary>
    public ParsedJwt? Jwt { get; internal set; }

    /// <summary>True once the signature was verified.</summary>
    public bool SignatureVerified { get; internal set; }

    /// <summary>The claims the condition sees: the token payload or the bare claims.</summary>
    public JsonElement? Claims => Jwt is not null ? Jwt.Payload : BareClaims;

    /// <summary>True for the trust test runner (nothing is issued; a missing client_ip skips the IP step).</summary>
    public bool IsTestRun { get; }

    /// <summary>True when running on bare claims.</summary>
    public bool IsBareClaims => Token is null;
}

/// <summary>
/// DESIGN.md's exchange pipeline as small named steps, in API.md's test-runner order. The token exchange grant and
/// the trust test runner both run exactly these, so they cannot disagree.
/// </summary>
public sealed class ExchangeSteps
{
    private readonly IProviderKeyCache _keys;
    private readonly ExchangeOptions _options;

    /// <summary>Creates the steps.</summary>
    public ExchangeSteps(IProviderKeyCache keys, ExchangeOptions options)
    {
        _keys = keys ?? throw new ArgumentNullException(nameof(keys));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        DecisionStep<ExchangeContext>[] gates =
        [
            DecisionStep<ExchangeContext>.Of(GrantGates.TrustEnabled, static c => GrantGates.CheckTrustEnabled(c.Trust.Trust)),
            DecisionStep<ExchangeContext>.Of(GrantGates.PrincipalEnabled, static c => GrantGates.CheckPrincipalEnabled(c.Trust.Principal)),
        ];
        DecisionStep<ExchangeContext>[] tokenChecks =
        [
            DecisionStep<ExchangeContext>.Of(TrustTestSteps.JwtDecode, DecodeJwt),
            DecisionStep<ExchangeContext>.Of(TrustTestSteps.IssuerMatch, MatchIssuer),
            DecisionStep<ExchangeContext>.OfAsync(TrustTestSteps.SignatureValidation, ValidateSignatureAsync),
            DecisionStep<ExchangeContext>.Of(TrustTestSteps.AudienceValidation, ValidateAudience),
            DecisionStep<ExchangeContext>.Of(TrustTestSteps.TokenFreshness, CheckFreshness),
            DecisionStep<ExchangeContext>.Of(TrustTestSteps.CelEvaluation, EvaluateCondition),
            DecisionStep<ExchangeContext>.Of(TrustTestSteps.IpAddressCheck, CheckIpAddress),
        ];
        Gates = new DecisionPipeline<ExchangeContext>(gates);
        TokenChecks = new DecisionPipeline<ExchangeContext>(tokenChecks);
        Exchange = new DecisionPipeline<ExchangeContext>([.. gates, .. tokenChecks]);
    }

    /// <summary>What the token exchange runs: the enabled gates, then the token checks.</summary>
    public DecisionPipeline<ExchangeContext> Exchange { get; }

    /// <summary>The enabled gates (DESIGN.md step 2), run before the token checks; the trust test runner runs them for its verdict.</summary>
    public DecisionPipeline<ExchangeContext> Gates { get; }

    /// <summary>DESIGN.md steps 3–7 in API.md's test-runner order: what the exchange and the trust test runner both run.</summary>
    public DecisionPipeline<ExchangeContext> TokenChecks { get; }

    /// <summary>Step 1 — decode the JWT strictly (RFC 7515 §7.1, RFC 7519 §7.2; DESIGN.md step 3: size-limited, strict base64url and JSON).</summary>
    public StepOutcome DecodeJwt(ExchangeContext context)
    {
        const string Name = TrustTestSteps.JwtDecode;
        if (context.IsBareClaims)
        {
            return StepOutcome.Skip(Name, "bare claims were given, not a token");
        }

        if (!JwsCompact.TryParse(context.Token, _options.ReadLimits, out var jwt, out var error))
        {
            return StepOutcome.Failed(Name, DenialReasons.InvalidJwtFormat, error.Detail, "a compact JWS (header.payload.signature)", error.Kind.ToString());
        }

        context.Jwt = jwt;
        return StepOutcome.Passed(Name, context.IsTestRun ? $"decoded a {jwt!.Algorithm} token with {jwt.Payload.EnumerateObject().Count()} claims" : PassedDetail);
    }

    /// <summary>Step 2 — <c>iss</c> equals the provider's issuer exactly (DESIGN.md step 3; OIDC Core §3.1.3.7 item 2). Selects keys; confers no trust.</summary>
    public StepOutcome MatchIssuer(ExchangeContext context)
    {
        const string Name = TrustTestSteps.IssuerMatch;
        if (context.Jwt is not { } jwt)
        {
            return StepOutcome.Skip(Name, context.IsBareClaims ? "token-only step" : "no decoded token");
        }

        var expected = context.Trust.Provider.IssuerUrl;
        var iss = jwt.ReadIssuer();
        if (!iss.IsPresent)
        {
            return StepOutcome.Failed(Name, DenialReasons.IssuerMismatch, iss.Problem ?? "the token has no iss claim", expected, null);
        }

        if (!string.Equals(iss.Value, expected, StringComparison.Ordinal))
        {
            return StepOutcome.Failed(Name, DenialReasons.IssuerMismatch,
                $"iss is \"{iss.Value}\", this trust's provider expects \"{expected}\" (exact match)", expected, iss.Value);
        }

        return StepOutcome.Passed(Name, "iss matches the provider's issuer", expected, iss.Value);
    }

    /// <summary>
    /// Step 3 — header and signature (DESIGN.md step 4; RFC 8725 §3.1–3.2): <c>alg</c> allowed by the provider and
    /// asymmetric, <c>kid</c> resolved in the provider's JWKS (<c>jku</c>/<c>x5u</c>/<c>jwk</c> ignored), signature valid.
    /// </summary>
    public async ValueTask<StepOutcome> ValidateSignatureAsync(ExchangeContext context, CancellationToken cancellationToken)
    {
        const string Name = TrustTestSteps.SignatureValidation;
        if (context.Jwt is not { } jwt)
        {
            return StepOutcome.Skip(Name, context.IsBareClaims ? "token-only step" : "no decoded token");
        }

        var provider = context.Trust.Provider;
        var allowed = provider.AllowedAlgorithms;
        if (!JwtAlgorithms.IsSupported(jwt.Algorithm) || !allowed.Contains(jwt.Algorithm, StringComparer.Ordinal))
        {
            return StepOutcome.Failed(Name, DenialReasons.AlgorithmNotAllowed,
                $"alg {jwt.Algorithm} is not allowed for this provider (allowed: {string.Join(", ", allowed)}; never none or HMAC)",
                string.Join(", ", allowed), jwt.Algorithm);
        }

        var resolved = await _keys.ResolveAsync(context.Trust.KeySource, jwt.KeyId, jwt.Algorithm, cancellationToken)
            .ConfigureAwait(false);
        switch (resolved.Status)
        {
            case ProviderKeyStatus.Found:
                break;
            case ProviderKeyStatus.Unavailable:
                return StepOutcome.Failed(Name, DenialReasons.ProviderKeysUnavailable, resolved.Detail, "the provider's JWKS", "unavailable");
            default:
                return StepOutcome.Failed(Name, DenialReasons.UnknownKey,
                    $"{resolved.Detail} (kid {(jwt.KeyId is null ? "absent" : $"\"{jwt.KeyId}\"")}; provider's keys: {string.Join(", ", resolved.KnownKeyIds)})",
                    string.Join(", ", resolved.KnownKeyIds), jwt.KeyId);
        }

        if (!resolved.Key!.Verify(jwt.Algorithm, jwt.SigningInput.Span, jwt.Signature.Span))
        {
            return StepOutcome.Failed(Name, DenialReasons.SignatureInvalid,
                $"the {jwt.Algorithm} signature does not verify with key {resolved.Key.KeyId ?? "(no kid)"}", "a valid signature", "invalid");
        }

        context.SignatureVerified = true;
        return StepOutcome.Passed(Name, context.IsTestRun ? $"{jwt.Algorithm} signature verified with key {resolved.Key.KeyId ?? "(no kid)"}" : PassedDetail);
    }

    /// <summary>Step 4 — <c>aud</c> contains the trust's audience (DESIGN.md step 5; RFC 7519 §4.1.3).</summary>
    public StepOutcome ValidateAudience(ExchangeContext context)
    {
        const string Name = TrustTestSteps.AudienceValidation;
        if (context.Jwt is not { } jwt)
        {
            return StepOutcome.Skip(Name, context.IsBareClaims ? "token-only step" : "no decoded token");
        }

        var expected = context.Trust.Audience;
        var aud = jwt.ReadAudience();
        if (!aud.IsPresent)
        {
            return StepOutcome.Failed(Name, DenialReasons.AudienceMismatch, aud.Problem ?? "the token has no aud claim", expected, null);
        }

        if (!aud.Value!.Contains(expected, StringComparer.Ordinal))
        {
            var actual = JsonSerializer.Serialize(aud.Value);
            return StepOutcome.Failed(Name, DenialReasons.AudienceMismatch,
                $"aud is {actual}, this trust expects \"{expected}\"", expected, actual);
        }

        return context.IsTestRun
            ? StepOutcome.Passed(Name, "aud contains the trust's audience", expected, JsonSerializer.Serialize(aud.Value))
            : StepOutcome.Passed(Name, PassedDetail);
    }

    /// <summary>
    /// Step 5 — <c>exp</c>, <c>nbf</c>, <c>iat</c> (DESIGN.md step 5; RFC 7519 §4.1.4–4.1.6) under
    /// <see cref="TokenFreshness"/>'s one set of rules, with the exchange's windows: the skew both ways and the
    /// provider's maximum token age.
    /// </summary>
    public StepOutcome CheckFreshness(ExchangeContext context)
    {
        const string Name = TrustTestSteps.TokenFreshness;
        if (context.Jwt is not { } jwt)
        {
            return StepOutcome.Skip(Name, context.IsBareClaims ? "token-only step" : "no decoded token");
        }

        var maxAge = context.Trust.Provider.MaxTokenAgeSeconds > 0
            ? TimeSpan.FromSeconds(context.Trust.Provider.MaxTokenAgeSeconds)
            : _options.DefaultMaxTokenAge;
        var exp = jwt.ReadExpires();
        var iat = jwt.ReadIssuedAt();
        var verdict = TokenFreshness.Check(exp, jwt.ReadNotBefore(), iat, context.Now,
            new FreshnessWindows(_options.ClockSkew, _options.ClockSkew, maxAge, null, "token"));
        if (!verdict.Passed)
        {
            return StepOutcome.Failed(Name, verdict.Reason!, verdict.Detail, verdict.Expected, verdict.Actual);
        }

        return StepOutcome.Passed(Name, context.IsTestRun
            ? $"valid until {TokenFreshness.Iso(exp.Value)}, issued {(context.Now - iat.Value).TotalSeconds:F0} s ago"
            : PassedDetail);
    }

    /// <summary>Step 6 — the trust's compiled CEL condition on <c>claims</c>; an evaluation error denies (DESIGN.md step 6).</summary>
    public StepOutcome EvaluateCondition(ExchangeContext context)
    {
        const string Name = TrustTestSteps.CelEvaluation;
        if (context.Claims is not { } claims)
        {
            return StepOutcome.Skip(Name, "no claims to evaluate");
        }

        var condition = context.Trust.Condition;
        if (claims.ValueKind != JsonValueKind.Object)
        {
            return StepOutcome.Failed(Name, DenialReasons.CelEvaluationError, "claims must be a JSON object", condition.Source, claims.ValueKind.ToString());
        }

        var result = condition.Evaluate(claims);
        return result.Outcome switch
        {
            ConditionOutcome.Met => context.IsTestRun ? StepOutcome.Passed(Name, "condition is true", condition.Source, "true") : StepOutcome.Passed(Name, PassedDetail),
            ConditionOutcome.NotMet => StepOutcome.Failed(Name, DenialReasons.CelConditionNotMet, result.Detail, condition.Source, "false"),
            _ => StepOutcome.Failed(Name, DenialReasons.CelEvaluationError, result.Detail, condition.Source, "error"),
        };
    }

    /// <summary>Step 7 — the caller address is inside the trust's allowlist (DESIGN.md step 7; shared with client credentials).</summary>
    public StepOutcome CheckIpAddress(ExchangeContext context) =>
        GrantGates.CheckAddress(context.Trust.IpAllowlist, context.ClientIp, context.IsTestRun, "trust");

    // The exchange never shows a passed step's detail: skip formatting it on the hot path.
    private const string PassedDetail = "passed";
}
