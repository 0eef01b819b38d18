using System.Buffers.Text;
using System.Security.Cryptography;
using WorkloadFederation.Contracts.Admin;
using WorkloadFederation.Contracts.Identity;

namespace WorkloadFederation.Client.Assertions;

/// <summary>
/// An Ed25519 key generated on this machine for a new credential: only its public JWK is sent to the admin API
/// (<c>public_key_jwk</c>), so the private key never crosses the network. Once the server has named the credential,
/// <see cref="FormatSecret"/> gives the client secret in API.md's format.
/// </summary>
public sealed class LocalCredentialKey : IDisposable
{
    private readonly byte[] _privateKey;
    private readonly byte[] _publicKey;

    private LocalCredentialKey(byte[] privateKey, byte[] publicKey)
    {
        _privateKey = privateKey;
        _publicKey = publicKey;
    }

    /// <summary>The public key as the admin API takes it.</summary>
    public PublicJwkDto PublicKeyJwk => new("OKP", "Ed25519", Base64Url.EncodeToString(_publicKey));

    /// <summary>Generates a key from libsodium's cryptographic random generator.</summary>
    public static LocalCredentialKey Create()
    {
        var (seed, publicKey) = Ed25519Signing.Generate();
        return new LocalCredentialKey(seed, publicKey);
    }

    /// <summary>The client secret <c>secret-token:&lt;tenant&gt;:v1:&lt;JWK&gt;</c> with <c>kid</c> = the credential id.</summary>
    public string FormatSecret(string tenant, string credentialId) => ClientSecret.Format(tenant, credentialId, _privateKey, _publicKey);

    /// <summary>Never key material.</summary>
    public override string ToString() => "local Ed25519 credential key";

    /// <inheritdoc/>
    public void Dispose() => CryptographicOperations.ZeroMemory(_privateKey);
}
