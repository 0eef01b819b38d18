using System.Text.Json;
using Microsoft.IdentityModel.Tokens;
using WorkloadFederation.Federation.Jwt;
using WorkloadFederation.TestSupport;
using Xunit;
using Xunit.Abstractions;
using VerificationKey = WorkloadFederation.Federation.Jwt.VerificationKey;

namespace WorkloadFederation.Federation.Tests.Wycheproof;

/// <summary>
/// The same Wycheproof vectors through Microsoft.IdentityModel.Tokens 8.23 (a <see cref="JsonWebKey"/> from the
/// group's JWK, <see cref="CryptoProviderFactory"/>'s signature provider) beside the node's own
/// <see cref="VerificationKey"/>: what each accepts, and every difference, pinned so that docs/security.md's
/// comparison cannot drift.
/// </summary>
public sealed class IdentityModelWycheproofTests(ITestOutputHelper output)
{
    public static TheoryData<string, string, string> Files() => new()
    {
        // file, JOSE alg, the library's differences from the own reader as "tcId:what the library did". The only
        // differences are the one valid vector per file over an EMPTY message, which the library's Verify refuses
        // (it throws on empty input): never a JWS signing input, which is at least "x.y". Every invalid vector is
        // refused by both. EdDSA: the library has no Ed25519 signature provider.
        { "ecdsa_secp256r1_sha256_p1363_test.json", JwtAlgorithms.ES256, "225:refused" },
        { "ecdsa_secp384r1_sha384_p1363_test.json", JwtAlgorithms.ES384, "249:refused" },
        { "ecdsa_secp521r1_sha512_p1363_test.json", JwtAlgorithms.ES512, "290:refused" },
        { "rsa_signature_2048_sha256_test.json", JwtAlgorithms.RS256, "1:refused" },
        { "rsa_signature_3072_sha256_test.json", JwtAlgorithms.RS256, "1:refused" },
        { "rsa_signature_4096_sha512_test.json", JwtAlgorithms.RS512, "1:refused" },
        { "rsa_pss_2048_sha256_mgf1_32_test.json", JwtAlgorithms.PS256, "1:refused" },
        { "ed25519_test.json", JwtAlgorithms.EdDSA, "unsupported" },
    };

    [Theory]
    [MemberData(nameof(Files))]
    public void IdentityModel_WycheproofVectors_ClassifiedAsTheOwnReaderDoes(string file, string alg, string expectedDifferences)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(RepoPaths.Conformance("wycheproof", file)));
        var differences = new List<string>();
        int total = 0, libraryAccepted = 0, ownAccepted = 0, unsupported = 0;
        foreach (var group in document.RootElement.GetProperty("testGroups").EnumerateArray())
        {
            using var jwkDocument = WycheproofTests.GroupJwk(group);
            VerificationKey.TryCreate(jwkDocument.RootElement, VerificationKeyOptions.Default, out var own, out _);
            var library = new JsonWebKey(jwkDocument.RootElement.GetRawText());
            var supported = CryptoProviderFactory.Default.IsSupportedAlgorithm(alg, library);
            foreach (var test in group.GetProperty("tests").EnumerateArray())
            {
                total++;
                var message = Convert.FromHexString(test.GetProperty("msg").GetString()!);
                var signature = Convert.FromHexString(test.GetProperty("sig").GetString()!);
                var ownResult = own is not null && own.Verify(alg, message, signature);
                ownAccepted += ownResult ? 1 : 0;
                if (!supported)
                {
                    unsupported++;
                    continue;
                }

                var libraryResult = LibraryVerify(library, alg, message, signature);
                libraryAccepted += libraryResult ? 1 : 0;
                if (libraryResult != ownResult)
                {
                    differences.Add($"{test.GetProperty("tcId").GetInt32()}:{(libraryResult ? "accepted" : "refused")}");
                }
            }
        }

        output.WriteLine($"{alg} {file}: {total} vectors; own reader accepts {ownAccepted}; library accepts {libraryAccepted}, unsupported {unsupported}; differences: {string.Join(", ", differences)}");
        var actual = unsupported == total ? "unsupported" : string.Join(",", differences);
        Assert.Equal(expectedDifferences, actual);
        Assert.All(differences, d => Assert.EndsWith(":refused", d, StringComparison.Ordinal)); // never accepts what the own reader refuses
    }

    private static bool LibraryVerify(JsonWebKey key, string alg, byte[] message, byte[] signature)
    {
        try
        {
            var provider = CryptoProviderFactory.Default.CreateForVerifying(key, alg);
            try
            {
                return provider.Verify(message, signature);
            }
            finally
            {
                CryptoProviderFactory.Default.ReleaseSignatureProvider(provider);
            }
        }
        catch (Exception ex) when (ex is ArgumentException or System.Security.Cryptography.CryptographicException or SecurityTokenException or NotSupportedException or InvalidOperationException)
        {
            return false;
        }
    }
}
