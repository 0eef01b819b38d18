using System.Security.Cryptography;

namespace WorkloadFederation.Federation.Jwt;

/// <summary>An EC public key on P-256, P-384 or P-521 for ES256, ES384 or ES512 respectively (RFC 7518 §3.4).</summary>
internal sealed class EcVerificationKey : VerificationKey
{
    private readonly AlgorithmPool<ECDsa> _pool;
    private readonly string _algorithm;
    private readonly HashAlgorithmName _hash;
    private readonly int _signatureLength;

    public EcVerificationKey(string? keyId, string? declaredAlgorithm, ECParameters parameters, string curve, int bits, int coordinateSize)
        : base(keyId, JwkMembers.KeyTypeEc, declaredAlgorithm, bits)
    {
        (_algorithm, _hash) = curve switch
        {
            JwkMembers.CurveP256 => (JwtAlgorithms.ES256, HashAlgorithmName.SHA256),
            JwkMembers.CurveP384 => (JwtAlgorithms.ES384, HashAlgorithmName.SHA384),
            _ => (JwtAlgorithms.ES512, HashAlgorithmName.SHA512),
        };
        _signatureLength = 2 * coordinateSize;
        _pool = new AlgorithmPool<ECDsa>(() =>
        {
            var ecdsa = ECDsa.Create();
            ecdsa.ImportParameters(parameters);
            return ecdsa;
        });
        _pool.Return(_pool.Rent());
    }

    private protected override bool SupportsCore(string alg) => string.Equals(alg, _algorithm, StringComparison.Ordinal);

    private protected override bool VerifyCore(string alg, ReadOnlySpan<byte> signingInput, ReadOnlySpan<byte> signature)
    {
        // RFC 7518 §3.4: the JWS signature is R || S, each exactly the coordinate size. DER is not accepted.
        if (signature.Length != _signatureLength)
        {
            return false;
        }

        var ecdsa = _pool.Rent();
        try
        {
            return ecdsa.VerifyData(signingInput, signature, _hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        finally
        {
            _pool.Return(ecdsa);
        }
    }
}
