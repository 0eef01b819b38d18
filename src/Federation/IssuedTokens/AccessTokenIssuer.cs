using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using WorkloadFederation.Contracts.OAuth;

namespace WorkloadFederation.Federation.IssuedTokens;

/// <summary>What an access token says (API.md "Success": the claims of issued tokens).</summary>
/// <param name="Tenant">The tenant domain (<c>tenant</c>, also the <c>aud</c>).</param>
/// <param name="PrincipalId">The service principal (<c>sub</c>).</param>
/// <param name="ClientId">The trust's or credential's client id.</param>
/// <param name="Roles">The effective roles.</param>
/// <param name="AuthenticationMethod">One of <see cref="AuthenticationMethods"/> (<c>amr</c>).</param>
/// <param name="Lifetime">How long the token is valid.</param>
/// <param name="TrustId">For a federated token, the trust.</param>
/// <param name="CredentialId">For client credentials, the credential.</param>
/// <param name="SubjectIssuer">For a federated token, the subject token's <c>iss</c>.</param>
/// <param name="SubjectSubject">For a federated token, the subject token's <c>sub</c>.</param>
public sealed record AccessTokenDescriptor(
    string Tenant,
    string PrincipalId,
    string ClientId,
    IReadOnlyList<string> Roles,
    string AuthenticationMethod,
    TimeSpan Lifetime,
    string? TrustId = null,
    string? CredentialId = null,
    string? SubjectIssuer = null,
    string? SubjectSubject = null);

/// <summary>A signed access token.</summary>
public sealed record IssuedAccessToken(string Token, string Jti, string KeyId, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt)
{
    /// <summary>Never the token itself.</summary>
    public override string ToString() => $"access token jti={Jti} kid={KeyId} exp={ExpiresAt:O}";
}

/// <summary>
/// Signs access tokens (RFC 9068 shape, <c>typ</c> <c>at+jwt</c>) with the active key of the snapshot's
/// <see cref="SigningKeyRing"/>, ES256, through Microsoft.IdentityModel's <see cref="JsonWebTokenHandler"/>: measured
/// as fast as the former own writer (bench/README.md), and issuing has no untrusted input whose strictness could
/// differ. Validation stays the node's own (<see cref="AccessTokenValidator"/>), which is stricter than the library.
/// </summary>
public sealed class AccessTokenIssuer
{
    /// <summary>The JWS <c>typ</c> of access tokens (RFC 9068 §2.1).</summary>
    public const string TokenType = "at+jwt";

    private readonly IssuedTokenOptions _options;
    private readonly TimeProvider _time;

    // Writes alg, kid and typ (plainly, at+jwt) into the header; times only from the claims given.
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    private volatile CachedCredentials? _credentials;

    /// <summary>Creates the issuer.</summary>
    public AccessTokenIssuer(IssuedTokenOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("invalid issued token options: " + string.Join("; ", problems), nameof(options));
        }

        _options = options;
        _time = time ?? throw new ArgumentNullException(nameof(time));
    }

    /// <summary>Signs a token; false (and no token) when the ring has no active key yet.</summary>
    public bool TryIssue(SigningKeyRing ring, AccessTokenDescriptor descriptor, out IssuedAccessToken token)
    {
        ArgumentNullException.ThrowIfNull(ring);
        ArgumentNullException.ThrowIfNull(descriptor);
        token = null!;
        if (ring.Active is not { CanSign: true } key)
        {
            return false;
        }

        var lifetime = descriptor.Lifetime;
        if (lifetime <= TimeSpan.Zero || lifetime > _options.MaxTokenLifetime)
        {
            throw new ArgumentOutOfRangeException(nameof(descriptor), $"token lifetime must be within (0, {_options.MaxTokenLifetime.TotalSeconds}] s");
        }

        var now = _time.GetUtcNow();
        var issuedAt = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds());
        var expiresAt = issuedAt + TimeSpan.FromSeconds(Math.Floor(lifetime.TotalSeconds));
        var jti = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));

        // The claims in the order the token has always had; the times are written here, whole seconds, so the library
        // adds nothing (no nbf: neither the own validator nor the docs know one for issued tokens).
        var claims = new Dictionary<string, object>(14, StringComparer.Ordinal)
        {
            [AccessTokenClaims.Issuer] = _options.IssuerFor(descriptor.Tenant),
            [AccessTokenClaims.Subject] = descriptor.PrincipalId,
            [AccessTokenClaims.Audience] = descriptor.Tenant,
            [AccessTokenClaims.Expires] = expiresAt.ToUnixTimeSeconds(),
            [AccessTokenClaims.IssuedAt] = issuedAt.ToUnixTimeSeconds(),
            [AccessTokenClaims.JwtId] = jti,
            [AccessTokenClaims.Tenant] = descriptor.Tenant,
            [AccessTokenClaims.ClientId] = descriptor.ClientId,

            // Arrays even with one member: the contract (API.md) names roles and amr as arrays.
            [AccessTokenClaims.Roles] = descriptor.Roles.ToArray(),
            [AccessTokenClaims.AuthenticationMethods] = new[] { descriptor.AuthenticationMethod },
        };
        AddOptional(claims, AccessTokenClaims.TrustId, descriptor.TrustId);
        AddOptional(claims, AccessTokenClaims.CredentialId, descriptor.CredentialId);
        AddOptional(claims, AccessTokenClaims.SubjectIssuer, descriptor.SubjectIssuer);
        AddOptional(claims, AccessTokenClaims.SubjectSubject, descriptor.SubjectSubject);

        var tokenDescriptor = new SecurityTokenDescriptor
        {
            Claims = claims,
            TokenType = TokenType,
            SigningCredentials = CredentialsFor(key),
        };
        var signed = _handler.CreateToken(tokenDescriptor);
        token = new IssuedAccessToken(signed, jti, key.KeyId, issuedAt, expiresAt);
        return true;
    }

    /// <summary>
    /// The library's signing credentials of a ring key, built once per key (a snapshot change that keeps the key keeps
    /// the credentials; a rotation builds them once for the new key) — never per request.
    /// </summary>
    private SigningCredentials CredentialsFor(RingKey key)
    {
        var cached = _credentials;
        if (cached is not null && ReferenceEquals(cached.Key, key))
        {
            return cached.Credentials;
        }

        var credentials = new SigningCredentials(new ECDsaSecurityKey(key.Key) { KeyId = key.KeyId }, SecurityAlgorithms.EcdsaSha256);
        _credentials = new CachedCredentials(key, credentials);
        return credentials;
    }

    private static void AddOptional(Dictionary<string, object> claims, string name, string? value)
    {
        if (value is not null)
        {
            claims[name] = value;
        }
    }

    /// <summary>One ring key with its credentials; replaced as a whole, so readers never see a torn pair.</summary>
    private sealed record CachedCredentials(RingKey Key, SigningCredentials Credentials);
}
