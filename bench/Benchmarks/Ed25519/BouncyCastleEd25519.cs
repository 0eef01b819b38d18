using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace WorkloadFederation.Benchmarks.Ed25519;

/// <summary>
/// The node's former Ed25519 implementation (Portable.BouncyCastle, managed), kept in the benchmark project only so
/// that it can be measured beside NSec in the same run. Nothing outside bench/ references BouncyCastle.
/// </summary>
internal static class BouncyCastleEd25519
{
    public static byte[] DerivePublicKey(byte[] seed) => new Ed25519PrivateKeyParameters(seed, 0).GeneratePublicKey().GetEncoded();

    public static byte[] Sign(byte[] seed, byte[] data)
    {
        var signer = new Ed25519Signer();
        signer.Init(true, new Ed25519PrivateKeyParameters(seed, 0));
        signer.BlockUpdate(data, 0, data.Length);
        return signer.GenerateSignature();
    }

    public static Ed25519PublicKeyParameters ParsePublicKey(byte[] publicKey) => new(publicKey, 0);

    public static bool Verify(Ed25519PublicKeyParameters publicKey, byte[] data, byte[] signature)
    {
        var verifier = new Ed25519Signer();
        verifier.Init(false, publicKey);
        verifier.BlockUpdate(data, 0, data.Length);
        return verifier.VerifySignature(signature);
    }
}
