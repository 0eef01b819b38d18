using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using WorkloadFederation.Contracts.Audit;
using WorkloadFederation.Contracts.OAuth;
using WorkloadFederation.Federation.Decisions;
using WorkloadFederation.Federation.Jwt;
using WorkloadFederation.Federation.Roles;
using WorkloadFederation.Federation.Snapshot;

namespace WorkloadFederation.Federation.IssuedTokens;

/// <summary>Who is calling, from a valid access token of this service checked against the current snapshot.</summary>
/// <param name="Tenant">The tenant domain.</param>
/// <param name="PrincipalId">The service principal.</param>
/// <param name="Roles">The token's roles that the principal still holds (a role removed since issue no longer counts).</param>
/// <param name="ClientId">The client id the token was issued to.</param>
/// <param name="Jti">The token id.</param>
/// <param name="IssuedAt">When the token was issued.</param>
/// <param name="ExpiresAt">When the token expires.</param>
/// <param name="AuthenticationMethod">The <c>amr</c> value.</param>
/// <param name="CredentialId">For client credentials, the credential.</param>
/// <param name="TrustId">For federation, the trust.</param>
public sealed record CallerIdentity(
    string Tenant,
    string PrincipalId,
    IReadOnlyList<string> Roles,
    string ClientId,
    string Jti,
    DateTimeOffset IssuedAt,
    DateTimeOffset ExpiresAt,
    string AuthenticationMethod,
    string? CredentialId,
    string? TrustId);

/// <summary>Why a token is not active (for logs and tests; introspection answers only <c>{"active":false}</c>).</summary>
public static class InactiveReasons
{
    public const string Malformed = "malformed";
    public const string UnknownKey = "unknown_key";
    public const string SignatureInvalid = "signature_invalid";
    public const string IssuerMismatch = "issuer_mismatch";
    public const string Expired = "expired";
    public const string NotYetValid = "not_yet_valid";
    public const string Revoked = "revoked";
    public const string PrincipalNotFound = "principal_not_found";
    public const string PrincipalDisabled = "principal_disabled";
    public const string CredentialNotFound = "credential_not_found";
    public const string CredentialRevoked = "credential_revoked";
    public const string CredentialExpired = "credential_expired";
    public const string TrustNotFound = "trust_not_found";
    public const string TrustDisabled = "trust_disabled";
    public const string IssuedBeforeNotBefore = "issued_before_not_before";
}

/// <summary>The result of validating an access token: inactive (with a reason) unless <see cref="Active"/> was called.</summary>
public sealed class AccessTokenValidationResult
{
    private AccessTokenValidationResult(CallerIdentity? identity, string reason)
    {
        Identity = identity;
        Reason = reason;
    }

    /// <summary>True when the token is valid and everything it names is still in force.</summary>
    public bool IsActive => Identity is not null;

    /// <summary>The caller, when active.</summary>
    public CallerIdentity? Identity { get; }

    /// <summary>One of <see cref="InactiveReasons"/> when inactive; empty when active.</summary>
    public string Reason { get; }

    /// <summary>An active token.</summary>
    public static AccessTokenValidationResult Active(CallerIdentity identity) =>
        new(identity ?? throw new ArgumentNullException(nameof(identity)), string.Empty);

    /// <summary>An inactive token.</summary>
    public static AccessTokenValidationResult Inactive(string reason) => new(null, reason);
}

/// <summary>
/// Validates access tokens of this service for the admin API and introspection (RFC 7662): our signature and
/// <c>kid</c>, <c>iss</c>, <c>exp</c>/<c>nbf</c>, then the snapshot — principal present and enabled, credential present,
/// not revoked, not expired / trust present and enabled, <c>jti</c> not revoked, and the token issued after the
/// not-before time of each (<see cref="TokenNotBefore"/>). Never throws for bad input.
/// </summary>
public sealed class AccessTokenValidator
{
    private readonly IssuedTokenOptions _options;
    private readonly TimeProvider _time;

    /// <summary>Creates the validator.</summary>
    public AccessTokenValidator(IssuedTokenOptions options, TimeProvider time)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _time = time ?? throw new ArgumentNullException(nameof(time));
    }

    /// <summary>Validates <paramref name="token"/> against <paramref name="snapshot"/>.</summary>
    public AccessTokenValidationResult Validate(string? token, FederationSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (!CompactToken.TryRead(token, out var parts))
        {
            return AccessTokenValidationResult.Inactive(InactiveReasons.Malformed);
        }

        using (parts)
        {
            return Validate(parts, snapshot);
        }
    }

    private AccessTokenValidationResult Validate(CompactParts parts, FederationSnapshot snapshot)
    {
        // RFC 7515 §5.2: the header selects our key; only ES256 and only keys of our ring.
        var header = parts.Header.RootElement;
        if (!TryString(header, "alg", out var alg) || alg != SigningKeyRing.Algorithm
            || !TryString(header, "kid", out var kid) || header.TryGetProperty("crit", out _))
        {
            return AccessTokenValidationResult.Inactive(InactiveReasons.Malformed);
        }

        if (!snapshot.SigningKeys.TryGetKey(kid, out var key))
        {
            return AccessTokenValidationResult.Inactive(InactiveReasons.UnknownKey);
        }

        var signingInput = Encoding.ASCII.GetBytes(parts.SigningInput.ToArray());
        if (parts.Signature.Length != 64 || !key.Key.VerifyData(signingInput, parts.Signature, HashAlgorithmName.SHA256))
        {
            return AccessTokenValidationResult.Inactive(InactiveReasons.SignatureInvalid);
        }

        var claims = parts.Payload.RootElement;
        if (!TryString(claims, AccessTokenClaims.Tenant, out var tenant)
            || !TryString(claims, AccessTokenClaims.Subject, out var principalId)
            || !TryString(claims, AccessTokenClaims.ClientId, out var clientId)
            || !TryString(claims, AccessTokenClaims.JwtId, out var jti)
            || !TryLong(claims, AccessTokenClaims.Expires, out var exp)
            || !TryLong(claims, AccessTokenClaims.IssuedAt, out var iat)
            || !TryString(claims, AccessTokenClaims.Issuer, out var iss)
            || !TryStringArray(claims, AccessTokenClaims.Roles, out var roles)
            || !TryStringArray(claims, AccessTokenClaims.AuthenticationMethods, out var amr) || amr.Count != 1)
        {
            return AccessTokenValidationResult.Inactive(InactiveReasons.Malformed);
        }

        if (!string.Equals(iss, _options.IssuerFor(tenant), StringComparison.Ordinal))
        {
            return AccessTokenValidationResult.Inactive(InactiveReasons.IssuerMismatch);
        }

        // The one set of freshness rules, with our own tokens' windows: no leeway past exp (the node set it), the skew
        // for an iat from a node whose clock runs ahead.
        var now = _time.GetUtcNow();
        var freshness = TokenFreshness.Check(
            ClaimRead<DateTimeOffset>.Present(DateTimeOffset.FromUnixTimeSeconds(exp)),
            ClaimRead<DateTimeOffset>.Missing(),
            ClaimRead<DateTimeOffset>.Present(DateTimeOffset.FromUnixTimeSeconds(iat)),
            now,
            new FreshnessWindows(_options.ClockSkew, TimeSpan.Zero, null, null, "access token"));
        if (!freshness.Passed)
        {
            return AccessTokenValidationResult.Inactive(freshness.Reason == DenialReasons.TokenExpired ? InactiveReasons.Expired : InactiveReasons.NotYetValid);
        }

        if (snapshot.IsRevoked(jti))
        {
            return AccessTokenValidationResult.Inactive(InactiveReasons.Revoked);
        }

        if (!snapshot.TryGetPrincipal(tenant, principalId, out var principal))
        {
            return AccessTokenValidationResult.Inactive(InactiveReasons.PrincipalNotFound);
        }

        if (!principal.Enabled)
        {
            return AccessTokenValidationResult.Inactive(InactiveReasons.PrincipalDisabled);
        }

        if (TokenNotBefore.IssuedBefore(iat, principal.TokensNotBefore))
        {
            return AccessTokenValidationResult.Inactive(InactiveReasons.IssuedBeforeNotBefore);
        }

        IReadOnlyList<string> currentRoles;
        string? credentialId = null;
        string? trustId = null;
        if (amr[0] == AuthenticationMethods.ClientCredentials)
        {
            if (!TryString(claims, AccessTokenClaims.CredentialId, out var cid)
                || !snapshot.TryGetCredential(tenant, cid, out var credential)
                || credential.PrincipalId != principalId)
            {
                return AccessTokenValidationResult.Inactive(InactiveReasons.CredentialNotFound);
            }

            if (credential.RevokedAt is not null)
            {
                return AccessTokenValidationResult.Inactive(InactiveReasons.CredentialRevoked);
            }

            if (credential.ExpiresAt.ToUnixTimeSeconds() <= now.ToUnixTimeSeconds())
            {
                return AccessTokenValidationResult.Inactive(InactiveReasons.CredentialExpired);
            }

            if (TokenNotBefore.IssuedBefore(iat, credential.TokensNotBefore))
            {
                return AccessTokenValidationResult.Inactive(InactiveReasons.IssuedBeforeNotBefore);
            }

            credentialId = cid;
            currentRoles = EffectiveRoles.Compute(principal.Roles, credential.ScopedRoles);
        }
        else if (amr[0] == AuthenticationMethods.Federation)
        {
            if (!TryString(claims, AccessTokenClaims.TrustId, out var tid)
                || !snapshot.TryGetTrust(tenant, tid, out var trust)
                || trust.PrincipalId != principalId)
            {
                return AccessTokenValidationResult.Inactive(InactiveReasons.TrustNotFound);
            }

            if (!trust.Enabled)
            {
                return AccessTokenValidationResult.Inactive(InactiveReasons.TrustDisabled);
            }

            if (TokenNotBefore.IssuedBefore(iat, trust.TokensNotBefore))
            {
                return AccessTokenValidationResult.Inactive(InactiveReasons.IssuedBeforeNotBefore);
            }

            trustId = tid;
            currentRoles = EffectiveRoles.Compute(principal.Roles, trust.ScopedRoles);
        }
        else
        {
            return AccessTokenValidationResult.Inactive(InactiveReasons.Malformed);
        }

        var granted = new HashSet<string>(currentRoles, StringComparer.Ordinal);
        var effective = roles.Where(granted.Contains).Distinct(StringComparer.Ordinal).ToList();
        return AccessTokenValidationResult.Active(new CallerIdentity(
            tenant,
            principalId,
            effective,
            clientId,
            jti,
            DateTimeOffset.FromUnixTimeSeconds(iat),
            DateTimeOffset.FromUnixTimeSeconds(exp),
            amr[0],
            credentialId,
            trustId));
    }

    private static bool TryString(JsonElement element, string name, out string value)
    {
        value = string.Empty;
        if (!element.TryGetProperty(name, out var property) || property.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        value = property.GetString()!;
        return value.Length > 0;
    }

    private static bool TryLong(JsonElement element, string name, out long value)
    {
        value = 0;
        return element.TryGetProperty(name, out var property) && property.ValueKind == JsonValueKind.Number
            && property.TryGetInt64(out value) && value > 0;
    }

    private static bool TryStringArray(JsonElement element, string name, out List<string> values)
    {
        values = [];
        if (!element.TryGetProperty(name, out var property) || property.ValueKind != JsonValueKind.Array)
        {
            return false;
        }

        foreach (var item in property.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                return false;
            }

            values.Add(item.GetString()!);
        }

        return true;
    }
}
