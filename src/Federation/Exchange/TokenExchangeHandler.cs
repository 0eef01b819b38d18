using System.Diagnostics;
using Microsoft.Extensions.Logging;
using WorkloadFederation.Contracts.Audit;
using WorkloadFederation.Contracts.Identity;
using WorkloadFederation.Contracts.OAuth;
using WorkloadFederation.Federation.Audit;
using WorkloadFederation.Federation.Decisions;
using WorkloadFederation.Federation.IssuedTokens;
using WorkloadFederation.Federation.Snapshot;
using WorkloadFederation.Federation.Telemetry;

namespace WorkloadFederation.Federation.Exchange;

/// <summary>
/// The token exchange grant (RFC 8693; DESIGN.md "The exchange pipeline"): trust lookup, the enabled gates, the seven
/// steps shared with the trust test runner, role intersection, signing, audit. Every decision is audited with its stable reason code. Thread-safe.
/// </summary>
public sealed class TokenExchangeHandler
{
    /// <summary>Longest <c>sub</c> recorded in an audit event.</summary>
    public const int MaxAuditSubjectLength = 256;

    private readonly SnapshotHolder _snapshots;
    private readonly ExchangeSteps _steps;
    private readonly AccessTokenIssuer _issuer;
    private readonly GrantFinisher _finisher;
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
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _finisher = new GrantFinisher(GrantTypes.TokenExchange, audit ?? throw new ArgumentNullException(nameof(audit)), logger);
    }

    /// <summary>Decides one exchange. Never throws for bad input.</summary>
    public async ValueTask<GrantResult> HandleAsync(TokenExchangeRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var activity = FederationTelemetry.ActivitySource.StartActivity("wif.grant.token_exchange");
        var started = Stopwatch.GetTimestamp();
        var now = _time.GetUtcNow();
        var snapshot = _snapshots.Current;
        // Audited under the client id's tenant until the trust is found (a tenantless event is written nowhere).
        var decision = new TokenDecision(now, request.ClientId, request.ClientIp?.ToString());

        // RFC 8693 §2.1: required parameters and the subject token type.
        if (CheckRequest(request) is { } problem)
        {
            return _finisher.Finish(decision, GrantResult.Denied(OAuthErrors.InvalidRequest, problem, DenialReasons.RequestInvalid, 400), problem, activity, started);
        }

        // DESIGN.md step 2: the trust of the client id; the tenant is the client id's domain. Unknown, disabled trust
        // and disabled principal look the same to the caller (DenialCatalog).
        if (!ClientId.TryParse(request.ClientId, out var clientId) || clientId.Kind != ClientIdKind.Trust
            || !snapshot.TryGetTrustByClientId(clientId.Value, out var trust) || trust.Trust.Tenant != clientId.Tenant)
        {
            return _finisher.Deny(decision, DenialReasons.TrustNotFound, "no trust has this client id", activity, started);
        }

        decision.Tenant = trust.Trust.Tenant;
        decision.PrincipalId = trust.Principal.Id;
        decision.TrustId = trust.Trust.Id;

        // DESIGN.md step 2 (enabled gates), then steps 3–7 shared with the trust test runner.
        var context = new ExchangeContext(trust, request.SubjectToken, null, request.ClientIp, now, isTestRun: false);
        var failed = await _steps.Exchange.FirstFailureAsync(context, cancellationToken).ConfigureAwait(false);

        decision.Subject = VerifiedSubject(context);
        if (failed is { } failure)
        {
            return _finisher.Deny(decision, failure.Reason!, failure.Detail, activity, started);
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
            SubjectSubject: decision.Subject);
        if (!_issuer.TryIssue(snapshot.SigningKeys, descriptor, out var token))
        {
            Log.SigningUnavailable(_logger);
            return _finisher.Deny(decision, DenialCatalog.SigningUnavailable, "no active signing key", activity, started);
        }

        Log.ExchangeIssued(_logger, trust.Trust.ClientId, token.Jti);
        var issued = GrantResult.Issued(token.Token, trust.LifetimeSeconds, token.Jti, TokenTypes.AccessToken);
        return _finisher.Finish(decision, issued, $"jti {token.Jti}", activity, started);
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
}
