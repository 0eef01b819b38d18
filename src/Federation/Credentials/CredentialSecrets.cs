using System.Security.Cryptography;
using WorkloadFederation.Contracts.Identity;

namespace WorkloadFederation.Federation.Credentials;

/// <summary>A freshly generated credential key: the secret string shown once, and the public key the store keeps.</summary>
public sealed class GeneratedCredentialKey(string secret, byte[] publicKey)
{
    /// <summary>The <c>secret-token:</c> string (API.md). Return it once to the caller; never log or store it.</summary>
    public string Secret { get; } = secret;

    /// <summary>The Ed25519 public key (JWK <c>x</c>).</summary>
    public byte[] PublicKey { get; } = publicKey;

    /// <inheritdoc />
    public override string ToString() => "generated credential key";
}

/// <summary>Creates client credentials secrets (API.md "Client credentials secret format").</summary>
public static class CredentialSecrets
{
    /// <summary>Generates a key pair and formats its private half as the secret of <paramref name="credentialId"/>.</summary>
    public static GeneratedCredentialKey Generate(string tenant, string credentialId)
    {
        var pair = Ed25519Keys.Generate();
        try
        {
            var secret = ClientSecret.Format(tenant, credentialId, pair.PrivateKey, pair.PublicKey);
            return new GeneratedCredentialKey(secret, pair.PublicKey);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pair.PrivateKey);
        }
    }

    /// <summary>
    /// True when <paramref name="secret"/>'s private key yields <paramref name="storedPublicKey"/> (constant-time
    /// comparison of the derived key; the JWK's own <c>x</c> is not trusted).
    /// </summary>
    public static bool Matches(ClientSecret secret, ReadOnlySpan<byte> storedPublicKey)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var derived = Ed25519Keys.DerivePublicKey(secret.PrivateKey);
        return storedPublicKey.Length == derived.Length && CryptographicOperations.FixedTimeEquals(derived, storedPublicKey);
    }
}
