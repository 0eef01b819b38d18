using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using NSec.Cryptography;
using WorkloadFederation.Contracts.Identity;
using WorkloadFederation.Contracts.OAuth;

namespace WorkloadFederation.Client.Assertions;

/// <summary>
/// Signs RFC 7523 client assertions with a credential's Ed25519 key (API.md "Client credentials"):
/// header <c>alg</c> = <c>EdDSA</c>, <c>typ</c> = <c>JWT</c>, <c>kid</c> = the credential id;
/// claims <c>iss</c> = <c>sub</c> = the client id, <c>aud</c> = the tenant domain (a host name, no port),
/// <c>iat</c>, <c>exp</c> at most 5 minutes later, and a random <c>jti</c> for each assertion.
/// </summary>
public sealed class ClientAssertionSigner : IDisposable
{
    /// <summary>The longest lifetime the token endpoint accepts.</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromMinutes(5);

    private const string Algorithm = "EdDSA";
    private readonly Key _key;
    private readonly byte[] _header;
    private readonly string _clientId;
    private readonly string _audience;
    private readonly TimeSpan _lifetime;
    private readonly TimeProvider _time;

    /// <summary>Creates a signer for one credential.</summary>
    /// <param name="secret">The parsed client secret.</param>
    /// <param name="clientId">The credential's client id (iss and sub).</param>
    /// <param name="audience">The tenant domain (aud).</param>
    /// <param name="lifetime">Assertion lifetime, more than zero and at most 5 minutes.</param>
    /// <param name="time">The clock.</param>
    public ClientAssertionSigner(ClientSecret secret, string clientId, string audience, TimeSpan lifetime, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(secret);
        if (lifetime <= TimeSpan.Zero || lifetime > MaxLifetime)
        {
            throw new ArgumentOutOfRangeException(nameof(lifetime), $"an assertion lives more than 0 and at most {MaxLifetime.TotalMinutes} minutes");
        }

        _key = Ed25519Signing.Import(secret.PrivateKey);
        _header = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string>
        {
            ["alg"] = Algorithm,
            ["typ"] = "JWT",
            ["kid"] = secret.KeyId,
        });
        _clientId = clientId;
        _audience = audience;
        _lifetime = lifetime;
        _time = time;
    }

    /// <summary>True when the secret's public key <c>x</c> is the one derived from its private key <c>d</c>.</summary>
    public static bool KeyPairMatches(ClientSecret secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var derived = Ed25519Signing.DerivePublicKey(secret.PrivateKey);
        return CryptographicOperations.FixedTimeEquals(derived, secret.PublicKey);
    }

    /// <summary>Signs a new assertion (fresh <c>jti</c>, <c>iat</c> = now).</summary>
    public string CreateAssertion()
    {
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        var claims = new Dictionary<string, object>
        {
            [AccessTokenClaims.Issuer] = _clientId,
            [AccessTokenClaims.Subject] = _clientId,
            [AccessTokenClaims.Audience] = _audience,
            [AccessTokenClaims.IssuedAt] = now,
            [AccessTokenClaims.Expires] = now + (long)_lifetime.TotalSeconds,
            [AccessTokenClaims.JwtId] = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(18)),
        };
        var signingInput = Base64Url.EncodeToString(_header) + "." + Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(claims));
        var signature = Ed25519Signing.Sign(_key, System.Text.Encoding.ASCII.GetBytes(signingInput));
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }

    /// <summary>Frees the key held in libsodium's guarded memory.</summary>
    public void Dispose() => _key.Dispose();

    /// <summary>Never key material.</summary>
    public override string ToString() => $"assertion signer for {_clientId}";
}
