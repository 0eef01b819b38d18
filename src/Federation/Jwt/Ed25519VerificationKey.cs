using NSec.Cryptography;
using WorkloadFederation.Federation.Credentials;

namespace WorkloadFederation.Federation.Jwt;

/// <summary>
/// An Ed25519 public key for EdDSA (RFC 8037 §3.1), also under its fully specified name <c>Ed25519</c> (RFC 9864).
/// Parsed once; verification goes through <see cref="Ed25519Keys"/>, the node's one Ed25519 implementation.
/// Immutable and thread-safe.
/// </summary>
internal sealed class Ed25519VerificationKey : VerificationKey
{
    public const int PublicKeyLength = Ed25519Keys.KeySize;

    private readonly PublicKey _publicKey;

    private Ed25519VerificationKey(string? keyId, string? declaredAlgorithm, PublicKey publicKey)
        : base(keyId, JwkMembers.KeyTypeOkp, declaredAlgorithm, 256)
    {
        _publicKey = publicKey;
    }

    /// <summary>Null when <paramref name="publicKey"/> is not a 32-byte Ed25519 public key.</summary>
    public static Ed25519VerificationKey? TryCreate(string? keyId, string? declaredAlgorithm, ReadOnlySpan<byte> publicKey) =>
        Ed25519Keys.ParsePublicKey(publicKey) is { } parsed ? new Ed25519VerificationKey(keyId, declaredAlgorithm, parsed) : null;

    private protected override bool SupportsCore(string alg) => JwtAlgorithms.FamilyOf(alg) == JwtAlgorithmFamily.EdDsa;

    private protected override bool VerifyCore(string alg, ReadOnlySpan<byte> signingInput, ReadOnlySpan<byte> signature) =>
        Ed25519Keys.Verify(_publicKey, signingInput, signature);
}
