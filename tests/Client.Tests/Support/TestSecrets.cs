using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;
using WorkloadFederation.Contracts.Identity;

namespace WorkloadFederation.Client.Tests.Support;

/// <summary>Freshly generated Ed25519 client secrets in API.md's format.</summary>
public static class TestSecrets
{
    public const string Tenant = "acme.example.com";
    public const string TrustClientId = "swift-otter-19384@acme.example.com/wfe";
    public const string CredentialClientId = "quiet-falcon-00042@acme.example.com/spc";

    public static (string Secret, Ed25519PublicKeyParameters PublicKey) Create(string tenant = Tenant, string kid = "cred_test_1")
    {
        var generator = new Ed25519KeyPairGenerator();
        generator.Init(new Ed25519KeyGenerationParameters(new SecureRandom()));
        var pair = generator.GenerateKeyPair();
        var d = ((Ed25519PrivateKeyParameters)pair.Private).GetEncoded();
        var x = ((Ed25519PublicKeyParameters)pair.Public).GetEncoded();
        return (ClientSecret.Format(tenant, kid, d, x), (Ed25519PublicKeyParameters)pair.Public);
    }
}
