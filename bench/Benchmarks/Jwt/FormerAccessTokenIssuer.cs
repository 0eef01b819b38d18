using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using WorkloadFederation.Contracts.OAuth;
using WorkloadFederation.Federation.IssuedTokens;

namespace WorkloadFederation.Benchmarks.Jwt;

/// <summary>
/// The node's former own access-token writer (Utf8JsonWriter and a direct ECDsa signature), kept only as the
/// baseline of the adopted <see cref="AccessTokenIssuer"/> (Microsoft.IdentityModel) in the same run. Same claims,
/// same order; its header escapes <c>+</c> in <c>typ</c> (<c>at\u002Bjwt</c>), as the former code did.
/// </summary>
internal sealed class FormerAccessTokenIssuer(IssuedTokenOptions options)
{
    private (string KeyId, string Header)? _header;

    /// <summary>Writes and signs the token as the former issuer did; false when the ring has no active key.</summary>
    public bool TryIssue(SigningKeyRing ring, AccessTokenDescriptor descriptor, out string token)
    {
        token = null!;
        if (ring.Active is not { CanSign: true } key)
        {
            return false;
        }

        var issuedAt = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        var expiresAt = issuedAt + TimeSpan.FromSeconds(Math.Floor(descriptor.Lifetime.TotalSeconds));
        var jti = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString(AccessTokenClaims.Issuer, options.IssuerFor(descriptor.Tenant));
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
            foreach (var (name, value) in new[]
            {
                (AccessTokenClaims.TrustId, descriptor.TrustId), (AccessTokenClaims.CredentialId, descriptor.CredentialId),
                (AccessTokenClaims.SubjectIssuer, descriptor.SubjectIssuer), (AccessTokenClaims.SubjectSubject, descriptor.SubjectSubject),
            })
            {
                if (value is not null)
                {
                    writer.WriteString(name, value);
                }
            }

            writer.WriteEndObject();
        }

        if (_header is not { } cached || cached.KeyId != key.KeyId)
        {
            cached = (key.KeyId, HeaderFor(key.KeyId));
            _header = cached;
        }

        var signingInput = cached.Header + "." + Base64Url.EncodeToString(buffer.WrittenSpan);
        var signature = key.Key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256);
        token = signingInput + "." + Base64Url.EncodeToString(signature);
        return true;
    }

    private static string HeaderFor(string keyId)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("alg", SigningKeyRing.Algorithm);
            writer.WriteString("typ", AccessTokenIssuer.TokenType);
            writer.WriteString("kid", keyId);
            writer.WriteEndObject();
        }

        return Base64Url.EncodeToString(buffer.WrittenSpan);
    }
}
