using System.Security.Cryptography;

namespace WorkloadFederation.Federation.Jwt;

/// <summary>An RSA public key for RS256/384/512 (RSASSA-PKCS1-v1_5) and PS256/384/512 (RSASSA-PSS, salt = hash length).</summary>
internal sealed class RsaVerificationKey : VerificationKey
{
    private readonly AlgorithmPool<RSA> _pool;
    private readonly int _modulusBytes;

    public RsaVerificationKey(string? keyId, string? declaredAlgorithm, RSAParameters parameters, int bits)
        : base(keyId, JwkMembers.KeyTypeRsa, declaredAlgorithm, bits)
    {
        _modulusBytes = parameters.Modulus!.Length;
        _pool = new AlgorithmPool<RSA>(() =>
        {
            var rsa = RSA.Create();
            rsa.ImportParameters(parameters);
            return rsa;
        });
        _pool.Return(_pool.Rent());
    }

    private protected override bool SupportsCore(string alg) =>
        JwtAlgorithms.FamilyOf(alg) is JwtAlgorithmFamily.RsaPkcs1 or JwtAlgorithmFamily.RsaPss;

    private protected override bool VerifyCore(string alg, ReadOnlySpan<byte> signingInput, ReadOnlySpan<byte> signature)
    {
        // RFC 8017 §8.2.2 step 1: the signature is exactly as long as the modulus.
        if (signature.Length != _modulusBytes)
        {
            return false;
        }

        var (hash, padding) = alg switch
        {
            JwtAlgorithms.RS256 => (HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            JwtAlgorithms.RS384 => (HashAlgorithmName.SHA384, RSASignaturePadding.Pkcs1),
            JwtAlgorithms.RS512 => (HashAlgorithmName.SHA512, RSASignaturePadding.Pkcs1),
            JwtAlgorithms.PS256 => (HashAlgorithmName.SHA256, RSASignaturePadding.Pss),
            JwtAlgorithms.PS384 => (HashAlgorithmName.SHA384, RSASignaturePadding.Pss),
            _ => (HashAlgorithmName.SHA512, RSASignaturePadding.Pss),
        };

        var rsa = _pool.Rent();
        try
        {
            return rsa.VerifyData(signingInput, signature, hash, padding);
        }
        finally
        {
            _pool.Return(rsa);
        }
    }
}
