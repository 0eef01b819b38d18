// Frozen pre-refactor copy for GrantBenchmarks (before/after in one run); not used by the product.
using WorkloadFederation.Federation.Audit;
using WorkloadFederation.Federation.Exchange;
using WorkloadFederation.Federation.Model;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using WorkloadFederation.Contracts.Audit;
using WorkloadFederation.Contracts.Identity;
using WorkloadFederation.Contracts.OAuth;

using WorkloadFederation.Federation.Credentials;

using WorkloadFederation.Federation.IssuedTokens;
using WorkloadFederation.Federation.Jwt;
using WorkloadFederation.Federation.Snapshot;
using WorkloadFederation.Federation.Store;
using WorkloadFederation.Federation.Telemetry;

namespace WorkloadFederation.Benchmarks.Exchange.Baseline;

/// <summary>A client credentials request (RFC 6749 §4.4) in either form of API.md.</summary>
/// <param name="ClientId">The credential's client id.</param>
/// <param name="ClientAssertionType">RFC 7523 §2.2 assertion type, with <paramref name="ClientAssertion"/>.</param>
/// <param name="ClientAssertion">The signed EdDSA assertion.</param>
/// <param name="ClientSecret">The whole <c>secret-token:</c> string (secret post).</param>
/// <param name="ClientIp">The caller address.</param>
internal sealed record ClientCredentialsRequest(
    string? ClientId,
    string? ClientAssertionType,
    string? ClientAssertion,
    string? ClientSecret,
    IPAddress? ClientIp)
{
    /// <summary>Never the assertion or secret.</summary>
    public override string ToString() => $"client credentials for {ClientId} from {ClientIp}";
}

/// <summary>Options of the client credentials grant.</summary>
internal sealed record ClientCredentialsOptions
{
    /// <summary>Default token lifetime (API.md: 3600 s), never beyond the credential's remaining life.</summary>
    public TimeSpan TokenLifetime { get; init; } = TimeSpan.FromSeconds(3600);

    /// <summary>Longest accepted assertion life ahead of now (API.md: 5 minutes).</summary>
    public TimeSpan MaxAssertionLifetime { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Clock skew for the assertion's <c>iat</c>, <c>nbf</c> and <c>exp</c>.</summary>
    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Longest accepted <c>jti</c>.</summary>
    public int MaxJtiLength { get; init; } = 256;

    /// <summary>Read limits of assertions.</summary>
    public JwtReadLimits ReadLimits { get; init; } = JwtReadLimits.Default with { MaxTokenLength = 8 * 1024 };

    /// <summary>
    /// The node's configured public token endpoint URLs, accepted as an assertion <c>aud</c> besides the tenant domain
    /// and <c>https://&lt;tenant domain&gt;/auth/v1/token</c>. Never the URL a caller addressed: a Host header is the
    /// caller's to choose, so accepting it would let an assertion made for another server be relayed here
    /// (RFC 7523 §3 item 3).
    /// </summary>
    public IReadOnlyList<string> PublicTokenEndpointUrls { get; init; } = [];
}

/// <summary>
/// The client credentials grant (RFC 6749 §4.4) with a signed EdDSA assertion (RFC 7523 §3) or the posted secret
/// (API.md "secret post"). Authentication comes first; only an authenticated caller learns that its credential is
/// revoked or expired. Every decision is audited. Thread-safe.
/// </summary>
internal sealed class ClientCredentialsHandler
{
    private readonly SnapshotHolder _snapshots;
    private readonly IReplayStore _replay;
    private readonly AccessTokenIssuer _issuer;
    private readonly IAuditSink _audit;
    private readonly ClientCredentialsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Creates the handler.</summary>
    public ClientCredentialsHandler(
        SnapshotHolder snapshots,
        IReplayStore replay,
        AccessTokenIssuer issuer,
        IAuditSink audit,
        ClientCredentialsOptions options,
        TimeProvider time,
        ILogger<ClientCredentialsHandler> logger)
    {
        _snapshots = snapshots ?? throw new ArgumentNullException(nameof(snapshots));
        _replay = replay ?? throw new ArgumentNullException(nameof(replay));
        _issuer = issuer ?? throw new ArgumentNullException(nameof(issuer));
        _audit = audit ?? throw new ArgumentNullException(nameof(audit));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>Decides one request. Never throws for bad input.</summary>
    public async ValueTask<GrantResult> HandleAsync(ClientCredentialsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var activity = FederationTelemetry.ActivitySource.StartActivity("wif.grant.client_credentials");
        var started = Stopwatch.GetTimestamp();
        var now = _time.GetUtcNow();
        var snapshot = _snapshots.Current;
        var decision = new Decision(request, now, activity, started);

        // RFC 6749 §4.4.2 / RFC 7521 §4.2: the client id and exactly one authentication method.
        var problem = CheckRequest(request);
        if (problem is not null)
        {
            // Audited under the client id's tenant, like every other refusal (a tenantless event is not written anywhere).
            decision.Tenant = ClientId.TryParse(request.ClientId, out var named) ? named.Tenant : string.Empty;
            return Finish(decision, GrantResult.Denied(OAuthErrors.InvalidRequest, problem, DenialReasons.RequestInvalid, 400), problem);
        }

        // The credential of the client id (tenant = the client id's domain).
        if (!ClientId.TryParse(request.ClientId, out var clientId) || clientId.Kind != ClientIdKind.Credential
            || !snapshot.TryGetCredentialByClientId(clientId.Value, out var credential) || credential.Credential.Tenant != clientId.Tenant)
        {
            decision.Tenant = ClientId.TryParse(request.ClientId, out var parsed) ? parsed.Tenant : string.Empty;
            return Deny(decision, DenialReasons.CredentialNotFound, "no credential has this client id");
        }

        decision.Tenant = credential.Credential.Tenant;
        decision.PrincipalId = credential.Principal.Id;
        decision.CredentialId = credential.Credential.Id;

        // Authenticate: RFC 7523 §3 assertion, or the posted secret (API.md).
        var (authReason, authDetail, assertionExpiry, jti) = request.ClientAssertion is not null
            ? CheckAssertion(request, credential, clientId, now)
            : CheckSecret(request.ClientSecret!, credential, clientId);
        if (authReason is not null)
        {
            return Deny(decision, authReason, authDetail);
        }

        // Credential state (DESIGN.md vocabulary: revocable, expiry never extended) and the principal.
        if (credential.Credential.RevokedAt is not null)
        {
            return Deny(decision, DenialReasons.CredentialRevoked, "the credential was revoked");
        }

        var remaining = credential.Credential.ExpiresAt - now;
        if (remaining < TimeSpan.FromSeconds(1))
        {
            return Deny(decision, DenialReasons.CredentialExpired, $"the credential expired at {credential.Credential.ExpiresAt:O}");
        }

        if (!credential.Principal.Enabled)
        {
            return Deny(decision, DenialReasons.SpDisabled, "the service principal is disabled");
        }

        // IP allowlist (issue 3: caller IP = socket address unless from a trusted proxy; resolved by the endpoint).
        if (!credential.IpAllowlist.Contains(request.ClientIp))
        {
            return Deny(decision, DenialReasons.IpNotAllowed, $"{request.ClientIp?.ToString() ?? "an unknown address"} is not inside the credential's allowlist");
        }

        // RFC 7523 §3 item 7: a jti is used once, deployment-wide, until the assertion expires. Marked last so that
        // refused requests do not burn the caller's jti.
        if (jti is not null)
        {
            bool first;
            try
            {
                first = await _replay.TryMarkAsync($"assertion:{credential.Credential.Id}:{jti}", assertionExpiry, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.ReplayStoreFailed(_logger, ex);
                return Deny(decision, DenialCatalog.ReplayStoreUnavailable, "the replay store failed");
            }

            if (!first)
            {
                return Deny(decision, DenialReasons.AssertionReplayed, "this assertion's jti was already used");
            }
        }

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
            return Deny(decision, DenialCatalog.SigningUnavailable, "no active signing key");
        }

        var issued = GrantResult.Issued(token.Token, (int)lifetime.TotalSeconds, token.Jti, issuedTokenType: null);
        return Finish(decision, issued, $"jti {token.Jti}");
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

    /// <summary>RFC 7523 §3 checks of the assertion. Returns a denial reason or null plus the assertion's expiry and jti.</summary>
    private (string? Reason, string Detail, DateTimeOffset Expiry, string? Jti) CheckAssertion(
        ClientCredentialsRequest request, CompiledCredential credential, ClientId clientId, DateTimeOffset now)
    {
        (string?, string, DateTimeOffset, string?) Invalid(string detail) => (DenialReasons.AssertionInvalid, detail, default, null);

        if (!JwsCompact.TryParse(request.ClientAssertion, _options.ReadLimits, out var jwt, out var error))
        {
            return Invalid("the assertion is not a compact JWS: " + error.Detail);
        }

        // RFC 8037 §3.1: EdDSA only; kid, when present, names the credential.
        if (jwt!.Algorithm != JwtAlgorithms.EdDSA)
        {
            return Invalid($"the assertion's alg is {jwt.Algorithm}; only {JwtAlgorithms.EdDSA} is accepted");
        }

        if (jwt.KeyId is not null && jwt.KeyId != credential.Credential.Id)
        {
            return Invalid("the assertion's kid does not name this credential");
        }

        if (credential.PublicKey is null || !Ed25519Keys.Verify(credential.PublicKey, jwt.SigningInput.Span, jwt.Signature.Span))
        {
            return Invalid("the assertion's signature does not verify with the credential's key");
        }

        // RFC 7523 §3 items 1–2: iss = sub = client id.
        var iss = jwt.ReadIssuer();
        var sub = jwt.ReadSubject();
        if (!iss.IsPresent || iss.Value != clientId.Value || !sub.IsPresent || sub.Value != clientId.Value)
        {
            return Invalid("the assertion's iss and sub must both equal the client id");
        }

        // RFC 7523 §3 item 3: aud names this server — the tenant domain or the token endpoint URL.
        var aud = jwt.ReadAudience();
        if (!aud.IsPresent || !aud.Value!.Any(a => IsAcceptedAudience(a, clientId.Tenant)))
        {
            return Invalid($"the assertion's aud must contain the tenant domain {clientId.Tenant} or the token endpoint URL");
        }

        // RFC 7523 §3 items 4–6: exp required and at most 5 minutes ahead; nbf and iat not in the future.
        var skew = _options.ClockSkew;
        var exp = jwt.ReadExpires();
        if (!exp.IsPresent)
        {
            return Invalid("the assertion has no valid exp");
        }

        if (exp.Value + skew <= now)
        {
            return Invalid("the assertion has expired");
        }

        if (exp.Value - now > _options.MaxAssertionLifetime + skew)
        {
            return Invalid($"the assertion's exp is more than {_options.MaxAssertionLifetime.TotalMinutes:F0} minutes ahead");
        }

        var iat = jwt.ReadIssuedAt();
        if (!iat.IsPresent || iat.Value - skew > now)
        {
            return Invalid(iat.IsPresent ? "the assertion's iat is in the future" : "the assertion has no valid iat");
        }

        // The assertion's own life (exp − iat) is held to the limit exactly; the skew above only tolerates clocks.
        if (exp.Value - iat.Value > _options.MaxAssertionLifetime)
        {
            return Invalid($"the assertion lives {(exp.Value - iat.Value).TotalSeconds:F0} s; at most {_options.MaxAssertionLifetime.TotalSeconds:F0} s is accepted");
        }

        var nbf = jwt.ReadNotBefore();
        if (nbf.Status == ClaimReadStatus.Invalid || (nbf.IsPresent && nbf.Value - skew > now))
        {
            return Invalid("the assertion's nbf is invalid or in the future");
        }

        var jti = jwt.ReadJwtId();
        if (!jti.IsPresent || jti.Value!.Length == 0 || jti.Value.Length > _options.MaxJtiLength)
        {
            return Invalid($"the assertion needs a jti of 1 to {_options.MaxJtiLength} characters");
        }

        // Keep the mark until the assertion could no longer be accepted (exp + skew).
        return (null, string.Empty, exp.Value + skew, jti.Value);
    }

    /// <summary>The tenant domain, the tenant's default token endpoint URL (API.md: clients derive the server from the client id) or a configured public one.</summary>
    private bool IsAcceptedAudience(string audience, string tenant) =>
        string.Equals(audience, tenant, StringComparison.Ordinal)
        || IsTenantTokenEndpointUrl(audience, tenant)
        || _options.PublicTokenEndpointUrls.Contains(audience, StringComparer.Ordinal);

    private static bool IsTenantTokenEndpointUrl(string audience, string tenant) =>
        audience.Length == "https://".Length + tenant.Length + EndpointPaths.Token.Length
        && audience.StartsWith("https://", StringComparison.Ordinal)
        && audience.AsSpan("https://".Length, tenant.Length).SequenceEqual(tenant)
        && audience.EndsWith(EndpointPaths.Token, StringComparison.Ordinal);

    /// <summary>API.md secret post: derive the public key from the secret, compare in constant time, forget the secret.</summary>
    private static (string? Reason, string Detail, DateTimeOffset Expiry, string? Jti) CheckSecret(string secretText, CompiledCredential credential, ClientId clientId)
    {
        if (!Contracts.Identity.ClientSecret.TryParse(secretText, out var secret, out var error))
        {
            return (DenialReasons.ClientSecretInvalid, error, default, null);
        }

        try
        {
            if (secret.Tenant != clientId.Tenant)
            {
                return (DenialReasons.ClientSecretInvalid, "the secret belongs to another tenant", default, null);
            }

            if (!CredentialSecrets.Matches(secret, credential.Credential.PublicKey))
            {
                return (DenialReasons.ClientSecretInvalid, "the secret's key is not this credential's key", default, null);
            }

            return (null, string.Empty, default, null);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret.PrivateKey);
        }
    }

    private GrantResult Deny(Decision decision, string reason, string detail)
    {
        Log.ClientCredentialsDenied(_logger, decision.Request.ClientId is { Length: <= ClientId.MaxLength } id ? id : null, reason);
        return Finish(decision, DenialCatalog.Deny(reason), detail);
    }

    private GrantResult Finish(Decision decision, GrantResult result, string detail)
    {
        var clientId = decision.Request.ClientId is { Length: > ClientId.MaxLength } long_ ? long_[..ClientId.MaxLength] : decision.Request.ClientId;
        var ip = decision.Request.ClientIp?.ToString();
        _audit.Record(result.Success
            ? TokenAuditEvents.Issued(decision.Now, decision.Tenant, decision.PrincipalId, decision.CredentialId, null, clientId, ip, null, detail)
            : TokenAuditEvents.Denied(decision.Now, decision.Tenant, result.Reason, detail, decision.PrincipalId, decision.CredentialId, null, clientId, ip, null));
        GrantMetrics.Record(GrantTypes.ClientCredentials, result, decision.Activity, decision.Started);
        return result;
    }

    private sealed class Decision(ClientCredentialsRequest request, DateTimeOffset now, Activity? activity, long started)
    {
        public ClientCredentialsRequest Request { get; } = request;

        public DateTimeOffset Now { get; } = now;

        public Activity? Activity { get; } = activity;

        public long Started { get; } = started;

        public string Tenant { get; set; } = string.Empty;

        public string? PrincipalId { get; set; }

        public string? CredentialId { get; set; }
    }
}
