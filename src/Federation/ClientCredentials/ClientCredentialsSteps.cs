using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using WorkloadFederation.Contracts.Audit;
using WorkloadFederation.Contracts.Identity;
using WorkloadFederation.Contracts.Admin;
using WorkloadFederation.Federation.Credentials;
using WorkloadFederation.Federation.Decisions;
using WorkloadFederation.Federation.Exchange;
using WorkloadFederation.Federation.Jwt;
using WorkloadFederation.Federation.Snapshot;
using WorkloadFederation.Federation.Store;

namespace WorkloadFederation.Federation.ClientCredentials;

/// <summary>The state one client credentials decision carries from step to step.</summary>
public sealed class ClientCredentialsContext
{
    internal ClientCredentialsContext(ClientCredentialsRequest request, CompiledCredential credential, ClientId clientId, DateTimeOffset now)
    {
        Request = request;
        Credential = credential;
        ClientId = clientId;
        Now = now;
    }

    /// <summary>The request.</summary>
    public ClientCredentialsRequest Request { get; }

    /// <summary>The credential the client id named.</summary>
    public CompiledCredential Credential { get; }

    /// <summary>The parsed client id.</summary>
    public ClientId ClientId { get; }

    /// <summary>The time of the decision.</summary>
    public DateTimeOffset Now { get; }

    /// <summary>The decoded assertion (after <c>assertion_decode</c>).</summary>
    public ParsedJwt? Assertion { get; internal set; }

    /// <summary>The assertion's <c>jti</c> (after <c>assertion_jti</c>).</summary>
    public string? Jti { get; internal set; }

    /// <summary>Until when the <c>jti</c> must be remembered: the assertion's <c>exp</c> plus the leeway.</summary>
    public DateTimeOffset AssertionExpiry { get; internal set; }
}

/// <summary>
/// The client credentials grant (RFC 6749 §4.4) as named steps on the shared <see cref="DecisionPipeline{TContext}"/>:
/// authentication first — the RFC 7523 §3 assertion or the posted secret (API.md) — so that only an authenticated
/// caller learns that its credential is revoked or expired; then the credential's state, the enabled gate and the
/// IP allowlist shared with the exchange; the replay mark last, so refused requests do not burn the caller's jti.
/// </summary>
public sealed class ClientCredentialsSteps
{
    /// <summary>Step names (decisions only; the trust test runner does not run this grant).</summary>
    public static class Names
    {
        public const string AssertionDecode = "assertion_decode";
        public const string AssertionSignature = "assertion_signature";
        public const string AssertionIssuerSubject = "assertion_issuer_subject";
        public const string AssertionAudience = "assertion_audience";
        public const string AssertionFreshness = "assertion_freshness";
        public const string AssertionJti = "assertion_jti";
        public const string ClientSecret = "client_secret";
        public const string CredentialRevoked = "credential_revoked";
        public const string CredentialExpiry = "credential_expiry";
        public const string AssertionReplay = "assertion_replay";
    }

    private const string PassedDetail = "passed";
    private const string Https = "https://";

    private readonly IReplayGuard _replay;
    private readonly ClientCredentialsOptions _options;
    private readonly ILogger _logger;

    /// <summary>Creates the steps.</summary>
    public ClientCredentialsSteps(IReplayGuard replay, ClientCredentialsOptions options, ILogger logger)
    {
        _replay = replay ?? throw new ArgumentNullException(nameof(replay));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        DecisionStep<ClientCredentialsContext>[] credentialState =
        [
            DecisionStep<ClientCredentialsContext>.Of(Names.CredentialRevoked, CheckNotRevoked),
            DecisionStep<ClientCredentialsContext>.Of(Names.CredentialExpiry, CheckNotExpired),
            DecisionStep<ClientCredentialsContext>.Of(GrantGates.PrincipalEnabled, static c => GrantGates.CheckPrincipalEnabled(c.Credential.Principal)),
            DecisionStep<ClientCredentialsContext>.Of(TrustTestSteps.IpAddressCheck,
                static c => GrantGates.CheckAddress(c.Credential.IpAllowlist, c.Request.ClientIp, isTestRun: false, "credential")),
        ];
        WithAssertion = new DecisionPipeline<ClientCredentialsContext>(
        [
            DecisionStep<ClientCredentialsContext>.Of(Names.AssertionDecode, DecodeAssertion),
            DecisionStep<ClientCredentialsContext>.Of(Names.AssertionSignature, VerifySignature),
            DecisionStep<ClientCredentialsContext>.Of(Names.AssertionIssuerSubject, CheckIssuerAndSubject),
            DecisionStep<ClientCredentialsContext>.Of(Names.AssertionAudience, CheckAudience),
            DecisionStep<ClientCredentialsContext>.Of(Names.AssertionFreshness, CheckFreshness),
            DecisionStep<ClientCredentialsContext>.Of(Names.AssertionJti, ReadJti),
            .. credentialState,
            DecisionStep<ClientCredentialsContext>.OfAsync(Names.AssertionReplay, MarkJtiAsync),
        ]);
        WithSecret = new DecisionPipeline<ClientCredentialsContext>(
        [
            DecisionStep<ClientCredentialsContext>.Of(Names.ClientSecret, CheckSecret),
            .. credentialState,
        ]);
    }

    /// <summary>The steps of a request authenticated by a signed assertion (RFC 7523).</summary>
    public DecisionPipeline<ClientCredentialsContext> WithAssertion { get; }

    /// <summary>The steps of a request authenticated by the posted secret (API.md "secret post").</summary>
    public DecisionPipeline<ClientCredentialsContext> WithSecret { get; }

    /// <summary>RFC 7515 §7.1 strict decode; RFC 8037 §3.1: EdDSA only; <c>kid</c>, when present, names the credential.</summary>
    public StepOutcome DecodeAssertion(ClientCredentialsContext context)
    {
        const string Name = Names.AssertionDecode;
        if (!JwsCompact.TryParse(context.Request.ClientAssertion, _options.ReadLimits, out var jwt, out var error))
        {
            return Invalid(Name, "the assertion is not a compact JWS: " + error.Detail);
        }

        // Also by its fully specified name Ed25519 (RFC 9864).
        if (JwtAlgorithms.FamilyOf(jwt!.Algorithm) != JwtAlgorithmFamily.EdDsa)
        {
            return Invalid(Name, $"the assertion's alg is {jwt.Algorithm}; only {JwtAlgorithms.EdDSA} or {JwtAlgorithms.Ed25519} is accepted");
        }

        if (jwt.KeyId is not null && jwt.KeyId != context.Credential.Credential.Id)
        {
            return Invalid(Name, "the assertion's kid does not name this credential");
        }

        context.Assertion = jwt;
        return StepOutcome.Passed(Name, PassedDetail);
    }

    /// <summary>RFC 7523 §3 item 9: the signature verifies with the credential's public key.</summary>
    public StepOutcome VerifySignature(ClientCredentialsContext context)
    {
        var jwt = context.Assertion!;
        return context.Credential.PublicKey is not null && Ed25519Keys.Verify(context.Credential.PublicKey, jwt.SigningInput.Span, jwt.Signature.Span)
            ? StepOutcome.Passed(Names.AssertionSignature, PassedDetail)
            : Invalid(Names.AssertionSignature, "the assertion's signature does not verify with the credential's key");
    }

    /// <summary>RFC 7523 §3 items 1–2: <c>iss</c> = <c>sub</c> = the client id.</summary>
    public StepOutcome CheckIssuerAndSubject(ClientCredentialsContext context)
    {
        var jwt = context.Assertion!;
        var expected = context.ClientId.Value;
        var iss = jwt.ReadIssuer();
        var sub = jwt.ReadSubject();
        return iss.IsPresent && iss.Value == expected && sub.IsPresent && sub.Value == expected
            ? StepOutcome.Passed(Names.AssertionIssuerSubject, PassedDetail)
            : Invalid(Names.AssertionIssuerSubject, "the assertion's iss and sub must both equal the client id");
    }

    /// <summary>
    /// RFC 7523 §3 item 3: <c>aud</c> names this server — the tenant domain, the tenant's default token endpoint URL
    /// (API.md: clients derive the server from the client id) or a configured public one; never the URL the caller
    /// addressed (a Host header is the caller's to choose).
    /// </summary>
    public StepOutcome CheckAudience(ClientCredentialsContext context)
    {
        var aud = context.Assertion!.ReadAudience();
        var tenant = context.ClientId.Tenant;
        return aud.IsPresent && aud.Value!.Any(a => IsAcceptedAudience(a, tenant))
            ? StepOutcome.Passed(Names.AssertionAudience, PassedDetail)
            : Invalid(Names.AssertionAudience, $"the assertion's aud must contain the tenant domain {tenant} or a public token endpoint URL of this node");
    }

    /// <summary>
    /// RFC 7523 §3 items 4–6 under <see cref="TokenFreshness"/>'s rules with the assertion's windows: the skew both
    /// ways and a lifetime of at most <see cref="ClientCredentialsOptions.MaxAssertionLifetime"/> (API.md: 5 minutes).
    /// </summary>
    public StepOutcome CheckFreshness(ClientCredentialsContext context)
    {
        var jwt = context.Assertion!;
        var exp = jwt.ReadExpires();
        var verdict = TokenFreshness.Check(exp, jwt.ReadNotBefore(), jwt.ReadIssuedAt(), context.Now,
            new FreshnessWindows(_options.ClockSkew, _options.ClockSkew, null, _options.MaxAssertionLifetime, "assertion"));
        if (!verdict.Passed)
        {
            return StepOutcome.Failed(Names.AssertionFreshness, DenialReasons.AssertionInvalid, verdict.Detail, verdict.Expected, verdict.Actual);
        }

        // Keep the replay mark until the assertion could no longer be accepted.
        context.AssertionExpiry = exp.Value + _options.ClockSkew;
        return StepOutcome.Passed(Names.AssertionFreshness, PassedDetail);
    }

    /// <summary>RFC 7523 §3 item 7: a <c>jti</c> of bounded length.</summary>
    public StepOutcome ReadJti(ClientCredentialsContext context)
    {
        var jti = context.Assertion!.ReadJwtId();
        if (!jti.IsPresent || jti.Value!.Length == 0 || jti.Value.Length > _options.MaxJtiLength)
        {
            return Invalid(Names.AssertionJti, $"the assertion needs a jti of 1 to {_options.MaxJtiLength} characters");
        }

        context.Jti = jti.Value;
        return StepOutcome.Passed(Names.AssertionJti, PassedDetail);
    }

    /// <summary>API.md secret post: derive the public key from the secret, compare in constant time, forget the secret.</summary>
    public StepOutcome CheckSecret(ClientCredentialsContext context)
    {
        const string Name = Names.ClientSecret;
        if (!Contracts.Identity.ClientSecret.TryParse(context.Request.ClientSecret!, out var secret, out var error))
        {
            return StepOutcome.Failed(Name, DenialReasons.ClientSecretInvalid, error);
        }

        try
        {
            if (secret.Tenant != context.ClientId.Tenant)
            {
                return StepOutcome.Failed(Name, DenialReasons.ClientSecretInvalid, "the secret belongs to another tenant");
            }

            return CredentialSecrets.Matches(secret, context.Credential.Credential.PublicKey)
                ? StepOutcome.Passed(Name, PassedDetail)
                : StepOutcome.Failed(Name, DenialReasons.ClientSecretInvalid, "the secret's key is not this credential's key");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret.PrivateKey);
        }
    }

    /// <summary>DESIGN.md vocabulary: a credential is revocable.</summary>
    public static StepOutcome CheckNotRevoked(ClientCredentialsContext context) => context.Credential.Credential.RevokedAt is null
        ? StepOutcome.Passed(Names.CredentialRevoked, PassedDetail)
        : StepOutcome.Failed(Names.CredentialRevoked, DenialReasons.CredentialRevoked, "the credential was revoked");

    /// <summary>DESIGN.md vocabulary: a credential's expiry is never extended; less than a second left is expired.</summary>
    public static StepOutcome CheckNotExpired(ClientCredentialsContext context) =>
        context.Credential.Credential.ExpiresAt - context.Now >= TimeSpan.FromSeconds(1)
            ? StepOutcome.Passed(Names.CredentialExpiry, PassedDetail)
            : StepOutcome.Failed(Names.CredentialExpiry, DenialReasons.CredentialExpired, $"the credential expired at {context.Credential.Credential.ExpiresAt:O}");

    /// <summary>RFC 7523 §3 item 7: a jti is used once, deployment-wide, until the assertion expires.</summary>
    public async ValueTask<StepOutcome> MarkJtiAsync(ClientCredentialsContext context, CancellationToken cancellationToken)
    {
        const string Name = Names.AssertionReplay;
        bool first;
        try
        {
            first = await _replay.TryConsumeAsync($"assertion:{context.Credential.Credential.Id}:{context.Jti}", context.AssertionExpiry, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.ReplayStoreFailed(_logger, ex);
            return StepOutcome.Failed(Name, DenialCatalog.ReplayStoreUnavailable, "the replay store failed");
        }

        return first
            ? StepOutcome.Passed(Name, PassedDetail)
            : StepOutcome.Failed(Name, DenialReasons.AssertionReplayed, "this assertion's jti was already used");
    }

    /// <summary>
    /// An unknown credential is refused with the same answer as a known one with a wrong key (DenialCatalog); this
    /// does the same cryptographic work too — the assertion's signature checked, or the secret's public key derived,
    /// against a decoy key — so that the time taken does not tell whether the credential exists either.
    /// </summary>
    public void SpendTheWorkOfAKnownCredential(ClientCredentialsRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ClientAssertion is not null)
        {
            if (JwsCompact.TryParse(request.ClientAssertion, _options.ReadLimits, out var jwt, out _))
            {
                _ = Ed25519Keys.Verify(DecoyPublicKey.Value, jwt!.SigningInput.Span, jwt.Signature.Span);
            }
        }
        else if (request.ClientSecret is not null && Contracts.Identity.ClientSecret.TryParse(request.ClientSecret, out var secret, out _))
        {
            try
            {
                _ = CredentialSecrets.Matches(secret, DecoyKey.Value.PublicKey);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(secret.PrivateKey);
            }
        }
    }

    /// <summary>A key no credential has: the decoy of <see cref="SpendTheWorkOfAKnownCredential"/>.</summary>
    private static readonly Lazy<Ed25519KeyPair> DecoyKey = new(Ed25519Keys.Generate);

    /// <summary>The decoy's public key parsed once, as a known credential's is in its view.</summary>
    private static readonly Lazy<NSec.Cryptography.PublicKey> DecoyPublicKey = new(() => Ed25519Keys.ParsePublicKey(DecoyKey.Value.PublicKey)!);

    private static StepOutcome Invalid(string name, string detail) => StepOutcome.Failed(name, DenialReasons.AssertionInvalid, detail);

    private bool IsAcceptedAudience(string audience, string tenant) =>
        string.Equals(audience, tenant, StringComparison.Ordinal)
        || IsTenantTokenEndpointUrl(audience, tenant)
        || _options.PublicTokenEndpointUrls.Contains(audience, StringComparer.Ordinal);

    private static bool IsTenantTokenEndpointUrl(string audience, string tenant) =>
        audience.Length == Https.Length + tenant.Length + Contracts.OAuth.EndpointPaths.Token.Length
        && audience.StartsWith(Https, StringComparison.Ordinal)
        && audience.AsSpan(Https.Length, tenant.Length).SequenceEqual(tenant)
        && audience.EndsWith(Contracts.OAuth.EndpointPaths.Token, StringComparison.Ordinal);
}
