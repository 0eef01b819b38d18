using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace WorkloadFederation.Federation.Credentials;

/// <summary>
/// Ed25519 (RFC 8032) key generation, signing and verification for client credentials, through BouncyCastle.
/// Keys are raw 32-byte values: the private key is the seed (JWK <c>d</c>), the public key is JWK <c>x</c>.
/// </summary>
public static class Ed25519Keys
{
    /// <summary>Length of a seed or a public key.</summary>
    public const int KeySize = 32;

    /// <summary>Length of a signature.</summary>
    public const int SignatureSize = 64;

    /// <summary>Generates a key pair from the operating system's cryptographic RNG.</summary>
    public static Ed25519KeyPair Generate()
    {
        var seed = RandomNumberGenerator.GetBytes(KeySize);
        return new Ed25519KeyPair(seed, DerivePublicKey(seed));
    }

    /// <summary>Derives the public key of a 32-byte seed.</summary>
    public static byte[] DerivePublicKey(ReadOnlySpan<byte> seed)
    {
        if (seed.Length != KeySize)
        {
            throw new ArgumentException($"an Ed25519 private key is {KeySize} bytes", nameof(seed));
        }

        var parameters = new Ed25519PrivateKeyParameters(seed.ToArray(), 0);
        return parameters.GeneratePublicKey().GetEncoded();
    }

    /// <summary>Signs <paramref name="data"/> with the seed.</summary>
    public static byte[] Sign(ReadOnlySpan<byte> seed, ReadOnlySpan<byte> data)
    {
        if (seed.Length != KeySize)
        {
            throw new ArgumentException($"an Ed25519 private key is {KeySize} bytes", nameof(seed));
        }

        var signer = new Ed25519Signer();
        signer.Init(true, new Ed25519PrivateKeyParameters(seed.ToArray(), 0));
        var bytes = data.ToArray();
        signer.BlockUpdate(bytes, 0, bytes.Length);
        return signer.GenerateSignature();
    }

    /// <summary>Parses a public key once (for the snapshot); null when it is not 32 bytes.</summary>
    public static Ed25519PublicKeyParameters? ParsePublicKey(ReadOnlySpan<byte> publicKey) =>
        publicKey.Length == KeySize ? new Ed25519PublicKeyParameters(publicKey.ToArray(), 0) : null;

    /// <summary>Verifies a signature. False for any malformed key or signature; never throws for bad input.</summary>
    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        var key = ParsePublicKey(publicKey);
        return key is not null && Verify(key, data, signature);
    }

    /// <summary>Verifies a signature with a parsed public key.</summary>
    public static bool Verify(Ed25519PublicKeyParameters publicKey, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        if (signature.Length != SignatureSize)
        {
            return false;
        }

        try
        {
            var verifier = new Ed25519Signer();
            verifier.Init(false, publicKey);
            var bytes = data.ToArray();
            verifier.BlockUpdate(bytes, 0, bytes.Length);
            return verifier.VerifySignature(signature.ToArray());
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            return false;
        }
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
