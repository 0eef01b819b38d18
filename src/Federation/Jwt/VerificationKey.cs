using System.Text.Json;
using System.Security.Cryptography;

namespace WorkloadFederation.Federation.Jwt;

/// <summary>
/// A public key from a JWK (RFC 7517) that verifies JWS signatures. Built once from the JWK, immutable, and safe to
/// use from many threads at once. Only asymmetric keys exist: RSA (2048 bits or more), EC P-256/P-384/P-521 and
/// OKP Ed25519. A key verifies only with algorithms of its family, its curve, and its JWK <c>alg</c> when given.
/// </summary>
public abstract class VerificationKey
{
    private protected VerificationKey(string? keyId, string keyType, string? declaredAlgorithm, int sizeBits)
    {
        KeyId = keyId;
        KeyType = keyType;
        DeclaredAlgorithm = declaredAlgorithm;
        SizeBits = sizeBits;
    }

    /// <summary>The JWK <c>kid</c>, or null.</summary>
    public string? KeyId { get; }

    /// <summary>The JWK <c>kty</c>: <c>RSA</c>, <c>EC</c> or <c>OKP</c>.</summary>
    public string KeyType { get; }

    /// <summary>The JWK <c>alg</c>, or null when the JWK does not restrict the algorithm.</summary>
    public string? DeclaredAlgorithm { get; }

    /// <summary>The key size in bits (RSA modulus length, curve size, or 256 for Ed25519).</summary>
    public int SizeBits { get; }

    /// <summary>True when this key may verify a signature made with <paramref name="alg"/>.</summary>
    public bool Supports(string alg) =>
        JwtAlgorithms.IsSupported(alg)
        && (DeclaredAlgorithm is null || string.Equals(DeclaredAlgorithm, alg, StringComparison.Ordinal))
        && SupportsCore(alg);

    /// <summary>
    /// Verifies <paramref name="signature"/> over <paramref name="signingInput"/> with <paramref name="alg"/>.
    /// False for any algorithm this key does not support, any malformed signature (wrong length, DER-encoded ECDSA)
    /// and any cryptographic failure; never throws for hostile input.
    /// </summary>
    public bool Verify(string alg, ReadOnlySpan<byte> signingInput, ReadOnlySpan<byte> signature)
    {
        if (!Supports(alg))
        {
            return false;
        }

        try
        {
            return VerifyCore(alg, signingInput, signature);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private protected abstract bool SupportsCore(string alg);

    private protected abstract bool VerifyCore(string alg, ReadOnlySpan<byte> signingInput, ReadOnlySpan<byte> signature);

    /// <summary>
    /// Builds a key from one JWK object. Refuses symmetric keys, private key material, unknown key types or curves,
    /// RSA moduli outside the limits of <paramref name="options"/>, EC points not on their curve, a <c>use</c> other
    /// than <c>sig</c>, <c>key_ops</c> without <c>verify</c>, and an <c>alg</c> the key cannot serve.
    /// <paramref name="error"/> says why, without key material.
    /// </summary>
    public static bool TryCreate(JsonElement jwk, VerificationKeyOptions options, out VerificationKey? key, out string? error)
    {
        ArgumentNullException.ThrowIfNull(options);
        key = null;
        error = JwkReader.TryRead(jwk, options, out key);
        return error is null;
    }
}
