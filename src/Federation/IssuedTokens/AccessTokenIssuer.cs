using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
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
/// <see cref="SigningKeyRing"/>, ES256.
/// </summary>
public sealed class AccessTokenIssuer
{
    /// <summary>The JWS <c>typ</c> of access tokens (RFC 9068 §2.1).</summary>
    public const string TokenType = "at+jwt";

    private readonly IssuedTokenOptions _options;
    private readonly TimeProvider _time;

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

        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString(AccessTokenClaims.Issuer, _options.IssuerFor(descriptor.Tenant));
            writer.WriteString(AccessTokenClaims.Subject, descriptor.PrincipalId);
            writer.WriteString(AccessTokenClaims.Audience, descriptor.Tenant);
            writer.WriteNumber(AccessTokenClaims.Expires, expiresAt.ToUnixTimeSeconds());
            writer.WriteNumber(AccessTokenClaims.IssuedAt, issuedAt.ToUnixTimeSeconds());
            writer.WriteString(AccessTokenClaims.JwtId, jti);
            writer.WriteString(AccessTokenClaims.Tenant, descriptor.Tenant);
            writer.WriteString(AccessTokenClaims.ClientId, descriptor.ClientId);
            writer.WriteStartArray(AccessTokenClaims.Roles);
            foreach (var role in descriptor.Roles)
            {
                writer.WriteStringValue(role);
            }

            writer.WriteEndArray();
            writer.WriteStartArray(AccessTokenClaims.AuthenticationMethods);
            writer.WriteStringValue(descriptor.AuthenticationMethod);
            writer.WriteEndArray();
            WriteOptional(writer, AccessTokenClaims.TrustId, descriptor.TrustId);
            WriteOptional(writer, AccessTokenClaims.CredentialId, descriptor.CredentialId);
            WriteOptional(writer, AccessTokenClaims.SubjectIssuer, descriptor.SubjectIssuer);
            WriteOptional(writer, AccessTokenClaims.SubjectSubject, descriptor.SubjectSubject);
            writer.WriteEndObject();
        }

        var header = key.EncodedHeader ??= HeaderFor(key.KeyId);
        var payload = Base64Url.EncodeToString(buffer.WrittenSpan);
        var signingInput = header + "." + payload;
        var signature = key.Key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256);
        token = new IssuedAccessToken(signingInput + "." + Base64Url.EncodeToString(signature), jti, key.KeyId, issuedAt, expiresAt);
        return true;
    }

    private static string HeaderFor(string keyId)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        // The header holds only our constants and key id: written plainly ("at+jwt", not "at\u002Bjwt"), as RFC 9068
        // §2.1 shows it and as naive readers compare it.
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("alg", SigningKeyRing.Algorithm);
            writer.WriteString("typ", TokenType);
            writer.WriteString("kid", keyId);
            writer.WriteEndObject();
        }

        return Base64Url.EncodeToString(buffer.WrittenSpan);
    }

    private static void WriteOptional(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }
}
