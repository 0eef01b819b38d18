using System.Diagnostics;
using Microsoft.Extensions.Logging;
using WorkloadFederation.Contracts.Audit;
using WorkloadFederation.Contracts.Identity;
using WorkloadFederation.Contracts.OAuth;
using WorkloadFederation.Federation.Audit;
using WorkloadFederation.Federation.Decisions;
using WorkloadFederation.Federation.Exchange;
using WorkloadFederation.Federation.IssuedTokens;
using WorkloadFederation.Federation.Snapshot;
using WorkloadFederation.Federation.Store;
using WorkloadFederation.Federation.Telemetry;

namespace WorkloadFederation.Federation.ClientCredentials;

/// <summary>
/// The client credentials grant (RFC 6749 §4.4) with a signed EdDSA assertion (RFC 7523 §3) or the posted secret
/// (API.md "secret post"): the request check, the credential lookup, then <see cref="ClientCredentialsSteps"/> on the
/// shared decision pipeline, then signing. Every decision is audited. Thread-safe.
/// </summary>
public sealed class ClientCredentialsHandler
{
    private readonly SnapshotHolder _snapshots;
    private readonly ClientCredentialsSteps _steps;
    private readonly AccessTokenIssuer _issuer;
    private readonly GrantFinisher _finisher;
    private readonly ClientCredentialsOptions _options;
    private readonly TimeProvider _time;

    /// <summary>Creates the handler.</summary>
    public ClientCredentialsHandler(
        SnapshotHolder snapshots,
        IReplayGuard replay,
        AccessTokenIssuer issuer,
        IAuditSink audit,
        ClientCredentialsOptions options,
        TimeProvider time,
        ILogger<ClientCredentialsHandler> logger)
    {
        _snapshots = snapshots ?? throw new ArgumentNullException(nameof(snapshots));
        _issuer = issuer ?? throw new ArgumentNullException(nameof(issuer));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        ArgumentNullException.ThrowIfNull(logger);
        _steps = new ClientCredentialsSteps(replay, options, logger);
        _finisher = new GrantFinisher(GrantTypes.ClientCredentials, audit ?? throw new ArgumentNullException(nameof(audit)), logger);
    }

    /// <summary>Decides one request. Never throws for bad input.</summary>
    public async ValueTask<GrantResult> HandleAsync(ClientCredentialsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var activity = FederationTelemetry.ActivitySource.StartActivity("wif.grant.client_credentials");
        var started = Stopwatch.GetTimestamp();
        var now = _time.GetUtcNow();
        var snapshot = _snapshots.Current;
        // Audited under the client id's tenant until the credential is found (a tenantless event is written nowhere).
        var decision = new TokenDecision(now, request.ClientId, request.ClientIp?.ToString());

        // RFC 6749 §4.4.2 / RFC 7521 §4.2: the client id and exactly one authentication method.
        if (CheckRequest(request) is { } problem)
        {
            return _finisher.Finish(decision, GrantResult.Denied(OAuthErrors.InvalidRequest, problem, DenialReasons.RequestInvalid, 400), problem, activity, started);
        }

        // The credential of the client id (tenant = the client id's domain).
        if (!ClientId.TryParse(request.ClientId, out var clientId) || clientId.Kind != ClientIdKind.Credential
            || !snapshot.TryGetCredentialByClientId(clientId.Value, out var credential) || credential.Credential.Tenant != clientId.Tenant)
        {
            _steps.SpendTheWorkOfAKnownCredential(request);
            return _finisher.Deny(decision, DenialReasons.CredentialNotFound, "no credential has this client id", activity, started);
        }

        decision.Tenant = credential.Credential.Tenant;
        decision.PrincipalId = credential.Principal.Id;
        decision.CredentialId = credential.Credential.Id;

        var context = new ClientCredentialsContext(request, credential, clientId, now);
        var pipeline = request.ClientAssertion is not null ? _steps.WithAssertion : _steps.WithSecret;
        if (await pipeline.FirstFailureAsync(context, cancellationToken).ConfigureAwait(false) is { } failure)
        {
            return _finisher.Deny(decision, failure.Reason!, failure.Detail, activity, started);
        }

        // API.md: never longer than the credential's own remaining life.
        var remaining = credential.Credential.ExpiresAt - now;
        var lifetime = TimeSpan.FromSeconds(Math.Floor(Math.Min(_options.TokenLifetime.TotalSeconds, remaining.TotalSeconds)));
        var descriptor = new AccessTokenDescriptor(
            credential.Credential.Tenant,
            credential.Principal.Id,
            credential.Credential.ClientId,
            credential.EffectiveRoles,
            AuthenticationMethods.ClientCredentials,
            lifetime,
            CredentialId: credential.Credential.Id);
        if (!_issuer.TryIssue(snapshot.SigningKeys, descriptor, out var token))
        {
            return _finisher.Deny(decision, DenialCatalog.SigningUnavailable, "no active signing key", activity, started);
        }

        var issued = GrantResult.Issued(token.Token, (int)lifetime.TotalSeconds, token.Jti, issuedTokenType: null);
        return _finisher.Finish(decision, issued, $"jti {token.Jti}", activity, started);
    }

    private static string? CheckRequest(ClientCredentialsRequest request)
    {
        if (string.IsNullOrEmpty(request.ClientId))
        {
            return $"{OAuthParameters.ClientId} is required";
        }

        var hasAssertion = request.ClientAssertion is not null || request.ClientAssertionType is not null;
        var hasSecret = request.ClientSecret is not null;
        if (hasAssertion == hasSecret)
        {
            return $"give exactly one of {OAuthParameters.ClientAssertion} or {OAuthParameters.ClientSecret}";
        }

        if (hasAssertion)
        {
            if (request.ClientAssertionType != ClientAssertionTypes.JwtBearer)
            {
                return $"{OAuthParameters.ClientAssertionType} must be {ClientAssertionTypes.JwtBearer}";
            }

            if (string.IsNullOrEmpty(request.ClientAssertion))
            {
                return $"{OAuthParameters.ClientAssertion} is required";
            }
        }
        else if (request.ClientSecret!.Length == 0)
        {
            return $"{OAuthParameters.ClientSecret} is empty";
        }

        return null;
    }
}
