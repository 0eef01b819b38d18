using NSec.Cryptography;
using WorkloadFederation.Contracts.Identity;

namespace WorkloadFederation.Client.Tests.Support;

/// <summary>Freshly generated Ed25519 client secrets in API.md's format (keys made with NSec directly, not the SDK).</summary>
public static class TestSecrets
{
    public const string Tenant = "acme.example.com";
    public const string TrustClientId = "swift-otter-19384@acme.example.com/wfe";
    public const string CredentialClientId = "quiet-falcon-00042@acme.example.com/spc";

    public static (string Secret, PublicKey PublicKey) Create(string tenant = Tenant, string kid = "cred_test_1")
    {
        using var key = new Key(SignatureAlgorithm.Ed25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
        var d = key.Export(KeyBlobFormat.RawPrivateKey);
        var x = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        return (ClientSecret.Format(tenant, kid, d, x), key.PublicKey);
    }
}
