using System.Security.Cryptography;
using NSec.Cryptography;

namespace WorkloadFederation.Federation.Credentials;

/// <summary>
/// Ed25519 (RFC 8032) key generation, signing and verification for client credentials and EdDSA JWTs, through NSec
/// (libsodium; the native library ships in the NuGet package for every supported runtime, nothing to install).
/// Keys are raw 32-byte values: the private key is the seed (JWK <c>d</c>), the public key is JWK <c>x</c>.
/// </summary>
public static class Ed25519Keys
{
    /// <summary>Length of a seed or a public key.</summary>
    public const int KeySize = 32;

    /// <summary>Length of a signature.</summary>
    public const int SignatureSize = 64;

    private static readonly Ed25519 Algorithm = SignatureAlgorithm.Ed25519;

    /// <summary>Generates a key pair from libsodium's cryptographic RNG.</summary>
    public static Ed25519KeyPair Generate()
    {
        // The seed is exported once, right after generation, to be formatted as the one-time secret; otherwise keys
        // never leave libsodium's guarded memory.
        using var key = new Key(Algorithm, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
        return new Ed25519KeyPair(key.Export(KeyBlobFormat.RawPrivateKey), key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
    }

    /// <summary>Derives the public key of a 32-byte seed.</summary>
    public static byte[] DerivePublicKey(ReadOnlySpan<byte> seed)
    {
        using var key = ImportSeed(seed);
        return key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
    }

    /// <summary>Signs <paramref name="data"/> with the seed.</summary>
    public static byte[] Sign(ReadOnlySpan<byte> seed, ReadOnlySpan<byte> data)
    {
        using var key = ImportSeed(seed);
        return Algorithm.Sign(key, data);
    }

    /// <summary>Parses a public key once (for the snapshot); null when it is not 32 bytes.</summary>
    public static PublicKey? ParsePublicKey(ReadOnlySpan<byte> publicKey) =>
        publicKey.Length == KeySize && PublicKey.TryImport(Algorithm, publicKey, KeyBlobFormat.RawPublicKey, out var parsed)
            ? parsed
            : null;

    /// <summary>Verifies a signature. False for any malformed key or signature; never throws for bad input.</summary>
    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        var key = ParsePublicKey(publicKey);
        return key is not null && Verify(key, data, signature);
    }

    /// <summary>Verifies a signature with a parsed public key (libsodium rejects non-canonical and small-order values).</summary>
    public static bool Verify(PublicKey publicKey, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        return signature.Length == SignatureSize && Algorithm.Verify(publicKey, data, signature);
    }

    private static Key ImportSeed(ReadOnlySpan<byte> seed)
    {
        if (seed.Length != KeySize)
        {
            throw new ArgumentException($"an Ed25519 private key is {KeySize} bytes", nameof(seed));
        }

        return Key.Import(Algorithm, seed, KeyBlobFormat.RawPrivateKey);
    }
}

/// <summary>An Ed25519 key pair. <see cref="ToString"/> never shows the private key.</summary>
public sealed class Ed25519KeyPair(byte[] privateKey, byte[] publicKey)
{
    /// <summary>The 32-byte seed.</summary>
    public byte[] PrivateKey { get; } = privateKey;

    /// <summary>The 32-byte public key.</summary>
    public byte[] PublicKey { get; } = publicKey;

    /// <inheritdoc />
    public override string ToString() => "Ed25519 key pair";
}
