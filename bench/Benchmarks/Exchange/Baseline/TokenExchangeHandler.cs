// Frozen pre-refactor copy for GrantBenchmarks (before/after in one run); not used by the product.
using WorkloadFederation.Federation.Audit;
using WorkloadFederation.Federation.Exchange;
using WorkloadFederation.Federation.Model;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using WorkloadFederation.Contracts.Audit;
using WorkloadFederation.Contracts.Identity;
using WorkloadFederation.Contracts.OAuth;

using WorkloadFederation.Federation.IssuedTokens;
using WorkloadFederation.Federation.Snapshot;
using WorkloadFederation.Federation.Telemetry;

namespace WorkloadFederation.Benchmarks.Exchange.Baseline;

/// <summary>
/// The token exchange grant (RFC 8693; DESIGN.md "The exchange pipeline"): trust lookup, the seven shared steps,
/// role intersection, signing, audit. Every decision is audited with its stable reason code. Thread-safe.
/// </summary>
internal sealed class TokenExchangeHandler
{
    /// <summary>Longest <c>sub</c> recorded in an audit event.</summary>
    public const int MaxAuditSubjectLength = 256;

    private readonly SnapshotHolder _snapshots;
    private readonly ExchangeSteps _steps;
    private readonly AccessTokenIssuer _issuer;
    private readonly IAuditSink _audit;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Creates the handler.</summary>
    public TokenExchangeHandler(
        SnapshotHolder snapshots,
        ExchangeSteps steps,
        AccessTokenIssuer issuer,
        IAuditSink audit,
        TimeProvider time,
        ILogger<TokenExchangeHandler> logger)
    {
        _snapshots = snapshots ?? throw new ArgumentNullException(nameof(snapshots));
        _steps = steps ?? throw new ArgumentNullException(nameof(steps));
        _issuer = issuer ?? throw new ArgumentNullException(nameof(issuer));
        _audit = audit ?? throw new ArgumentNullException(nameof(audit));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>Decides one exchange. Never throws for bad input.</summary>
    public async ValueTask<GrantResult> HandleAsync(TokenExchangeRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var activity = FederationTelemetry.ActivitySource.StartActivity("wif.grant.token_exchange");
        var started = Stopwatch.GetTimestamp();
        var now = _time.GetUtcNow();
        var snapshot = _snapshots.Current;
        var clientIp = request.ClientIp?.ToString();

        // RFC 8693 §2.1: required parameters and the subject token type.
        var requestProblem = CheckRequest(request);
        if (requestProblem is not null)
        {
            var tenant = ClientId.TryParse(request.ClientId, out var parsedForAudit) ? parsedForAudit.Tenant : string.Empty;
            var refused = GrantResult.Denied(OAuthErrors.InvalidRequest, requestProblem, DenialReasons.RequestInvalid, 400);
            return Finish(refused, TokenAuditEvents.Denied(now, tenant, DenialReasons.RequestInvalid, requestProblem, null, null, null, request.ClientId, clientIp, null), activity, started);
        }

        // DESIGN.md step 2: the trust of the client id; the tenant is the client id's domain. Unknown, disabled trust
        // and disabled principal look the same to the caller (DenialCatalog).
        if (!ClientId.TryParse(request.ClientId, out var clientId) || clientId.Kind != ClientIdKind.Trust
            || !snapshot.TryGetTrustByClientId(clientId.Value, out var trust) || trust.Trust.Tenant != clientId.Tenant)
        {
            var tenant = ClientId.TryParse(request.ClientId, out var parsed) ? parsed.Tenant : string.Empty;
            return Deny(DenialReasons.TrustNotFound, "no trust has this client id", tenant, null, null, request, null, now, activity, started);
        }

        if (!trust.Trust.Enabled)
        {
            return Deny(DenialReasons.TrustDisabled, "the trust is disabled", trust.Trust.Tenant, trust.Principal.Id, trust.Trust.Id, request, null, now, activity, started);
        }

        if (!trust.Principal.Enabled)
        {
            return Deny(DenialReasons.SpDisabled, "the service principal is disabled", trust.Trust.Tenant, trust.Principal.Id, trust.Trust.Id, request, null, now, activity, started);
        }

        // DESIGN.md steps 3–7, shared with the trust test runner.
        var context = new ExchangeContext(trust, request.SubjectToken, null, request.ClientIp, now, isTestRun: false);
        var run = await ExchangePipeline.RunAsync(_steps, context, stopAtFirstFailure: true, cancellationToken).ConfigureAwait(false);
        var subject = VerifiedSubject(context);
        if (run.FirstFailure is { } failure)
        {
            return Deny(failure.Reason!, failure.Detail, trust.Trust.Tenant, trust.Principal.Id, trust.Trust.Id, request, subject, now, activity, started);
        }

        // DESIGN.md step 8: effective roles (precomputed in the snapshot); step 9: sign.
        var descriptor = new AccessTokenDescriptor(
            trust.Trust.Tenant,
            trust.Principal.Id,
            trust.Trust.ClientId,
            trust.EffectiveRoles,
            AuthenticationMethods.Federation,
            TimeSpan.FromSeconds(trust.LifetimeSeconds),
            TrustId: trust.Trust.Id,
            SubjectIssuer: trust.Provider.IssuerUrl,
            SubjectSubject: subject);
        if (!_issuer.TryIssue(snapshot.SigningKeys, descriptor, out var token))
        {
            Log.SigningUnavailable(_logger);
            return Deny(DenialCatalog.SigningUnavailable, "no active signing key", trust.Trust.Tenant, trust.Principal.Id, trust.Trust.Id, request, subject, now, activity, started);
        }

        Log.ExchangeIssued(_logger, trust.Trust.ClientId, token.Jti);
        var issued = GrantResult.Issued(token.Token, trust.LifetimeSeconds, token.Jti, TokenTypes.AccessToken);
        return Finish(issued, TokenAuditEvents.Issued(now, trust.Trust.Tenant, trust.Principal.Id, null, trust.Trust.Id, trust.Trust.ClientId, request.ClientIp?.ToString(), subject, $"jti {token.Jti}"), activity, started);
    }

    /// <summary>The request problem, or null (RFC 8693 §2.1).</summary>
    internal static string? CheckRequest(TokenExchangeRequest request)
    {
        if (string.IsNullOrEmpty(request.ClientId))
        {
            return $"{OAuthParameters.ClientId} is required";
        }

        if (string.IsNullOrEmpty(request.SubjectToken))
        {
            return $"{OAuthParameters.SubjectToken} is required";
        }

        if (request.SubjectTokenType is not (TokenTypes.Jwt or TokenTypes.IdToken))
        {
            return $"{OAuthParameters.SubjectTokenType} must be {TokenTypes.Jwt} or {TokenTypes.IdToken}";
        }

        return null;
    }

    /// <summary>The subject token's <c>sub</c>, only once its signature was verified (never attacker-chosen text).</summary>
    internal static string? VerifiedSubject(ExchangeContext context)
    {
        if (!context.SignatureVerified || context.Jwt is null)
        {
            return null;
        }

        var sub = context.Jwt.ReadSubject();
        return sub.IsPresent ? (sub.Value!.Length > MaxAuditSubjectLength ? sub.Value[..MaxAuditSubjectLength] : sub.Value) : null;
    }

    private GrantResult Deny(
        string reason, string detail, string tenant, string? principalId, string? trustId, TokenExchangeRequest request,
        string? subject, DateTimeOffset now, Activity? activity, long started)
    {
        Log.ExchangeDenied(_logger, request.ClientId is { Length: <= ClientId.MaxLength } id ? id : null, reason);
        var result = DenialCatalog.Deny(reason);
        var auditEvent = TokenAuditEvents.Denied(now, tenant, reason, detail, principalId, null, trustId, request.ClientId, request.ClientIp?.ToString(), subject);
        return Finish(result, auditEvent, activity, started);
    }

    private GrantResult Finish(GrantResult result, AuditEvent auditEvent, Activity? activity, long started)
    {
        _audit.Record(auditEvent with { ClientId = auditEvent.ClientId is { Length: > ClientId.MaxLength } ? auditEvent.ClientId[..ClientId.MaxLength] : auditEvent.ClientId });
        GrantMetrics.Record(GrantTypes.TokenExchange, result, activity, started);
        return result;
    }
}

/// <summary>Metrics and span tags of grant decisions (both grants).</summary>
internal static class GrantMetrics
{
    public static void Record(string grant, GrantResult result, Activity? activity, long started)
    {
        var outcome = result.Success ? AuditOutcomes.Allowed : AuditOutcomes.Denied;
        FederationTelemetry.TokenDecisions.Add(
            1,
            new KeyValuePair<string, object?>("grant", grant),
            new KeyValuePair<string, object?>("outcome", outcome),
            new KeyValuePair<string, object?>("reason", result.Reason));
        FederationTelemetry.GrantDuration.Record(
            Stopwatch.GetElapsedTime(started).TotalMilliseconds, new KeyValuePair<string, object?>("grant", grant));
        activity?.SetTag("wif.grant", grant);
        activity?.SetTag("wif.outcome", outcome);
        activity?.SetTag("wif.reason", result.Reason);
    }
}
