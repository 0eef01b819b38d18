using Org.BouncyCastle.Math.EC.Rfc8032;

namespace WorkloadFederation.Federation.Jwt;

/// <summary>An Ed25519 public key for EdDSA (RFC 8037 §3.1). Verification is a static, stateless call: thread-safe.</summary>
internal sealed class Ed25519VerificationKey : VerificationKey
{
    public const int PublicKeyLength = 32;
    public const int SignatureLength = 64;

    private readonly byte[] _publicKey;

    public Ed25519VerificationKey(string? keyId, string? declaredAlgorithm, byte[] publicKey)
        : base(keyId, JwkMembers.KeyTypeOkp, declaredAlgorithm, 256)
    {
        _publicKey = publicKey;
    }

    private protected override bool SupportsCore(string alg) => string.Equals(alg, JwtAlgorithms.EdDSA, StringComparison.Ordinal);

    private protected override bool VerifyCore(string alg, ReadOnlySpan<byte> signingInput, ReadOnlySpan<byte> signature)
    {
        if (signature.Length != SignatureLength)
        {
            return false;
        }

        var message = signingInput.ToArray();
        return Ed25519.Verify(signature.ToArray(), 0, _publicKey, 0, message, 0, message.Length);
    }
}
