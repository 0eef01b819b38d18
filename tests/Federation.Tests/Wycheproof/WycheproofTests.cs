using System.Text.Json;
using WorkloadFederation.Federation.Jwt;
using WorkloadFederation.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace WorkloadFederation.Federation.Tests.Wycheproof;

/// <summary>
/// Runs every Wycheproof vector of ../shared/conformance/wycheproof through the service's own verification path:
/// the group's public JWK becomes a <see cref="VerificationKey"/> through <see cref="VerificationKey.TryCreate"/>
/// (the same code provider JWKS go through, with its 2048-bit RSA minimum), and each vector is checked with
/// <see cref="VerificationKey.Verify"/>. Every <c>valid</c> vector must verify and every <c>invalid</c> one must be
/// refused. The three <c>acceptable</c> vectors (PKCS#1 v1.5 DigestInfo without the NULL parameter, "MissingNull")
/// are refused: this verifier compares the full DigestInfo encoding, which is the stricter of the two permitted
/// behaviours, and the test pins that.
/// </summary>
public sealed class WycheproofTests(ITestOutputHelper output)
{
    public static TheoryData<string, string, int, int, int> Files() => new()
    {
        // file, JOSE alg, valid, invalid, acceptable (from the file headers; asserted so a missing vector fails)
        { "ecdsa_secp256r1_sha256_p1363_test.json", JwtAlgorithms.ES256, 173, 89, 0 },
        { "ecdsa_secp384r1_sha384_p1363_test.json", JwtAlgorithms.ES384, 193, 87, 0 },
        { "ecdsa_secp521r1_sha512_p1363_test.json", JwtAlgorithms.ES512, 231, 87, 0 },
        { "rsa_signature_2048_sha256_test.json", JwtAlgorithms.RS256, 9, 249, 1 },
        { "rsa_signature_3072_sha256_test.json", JwtAlgorithms.RS256, 8, 250, 1 },
        { "rsa_signature_4096_sha512_test.json", JwtAlgorithms.RS512, 7, 251, 1 },
        { "rsa_pss_2048_sha256_mgf1_32_test.json", JwtAlgorithms.PS256, 63, 45, 0 },
        { "ed25519_test.json", JwtAlgorithms.EdDSA, 88, 63, 0 },
    };

    [Theory]
    [MemberData(nameof(Files))]
    public void Verify_EveryWycheproofVector_MatchesItsExpectedResult(string file, string alg, int valid, int invalid, int acceptable)
    {
        var path = RepoPaths.Conformance("wycheproof", file);
        Assert.True(File.Exists(path), $"Wycheproof vectors not found at {path}");
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var root = document.RootElement;

        var counts = new Dictionary<string, int> { ["valid"] = 0, ["invalid"] = 0, ["acceptable"] = 0 };
        var keysRefused = 0;
        var failures = new List<string>();
        foreach (var group in root.GetProperty("testGroups").EnumerateArray())
        {
            using var jwkDocument = GroupJwk(group);
            VerificationKey.TryCreate(jwkDocument.RootElement, VerificationKeyOptions.Default, out var key, out var keyError);
            foreach (var test in group.GetProperty("tests").EnumerateArray())
            {
                var id = test.GetProperty("tcId").GetInt32();
                var result = test.GetProperty("result").GetString()!;
                counts[result]++;
                var message = Convert.FromHexString(test.GetProperty("msg").GetString()!);
                var signature = Convert.FromHexString(test.GetProperty("sig").GetString()!);

                bool accepted;
                if (key is null)
                {
                    keysRefused++;
                    accepted = false;
                }
                else
                {
                    accepted = key.Verify(alg, message, signature);
                }

                var expected = result == "valid";
                if (accepted != expected)
                {
                    failures.Add($"tcId {id} ({result}, {test.GetProperty("comment").GetString()}): accepted={accepted}{(key is null ? $", key refused: {keyError}" : string.Empty)}");
                }
            }
        }

        output.WriteLine($"{alg} {file}: {counts["valid"]} valid accepted, {counts["invalid"]} invalid refused, {counts["acceptable"]} acceptable refused; vectors whose key was refused at import: {keysRefused}");
        Assert.Empty(failures);
        Assert.Equal(valid, counts["valid"]);
        Assert.Equal(invalid, counts["invalid"]);
        Assert.Equal(acceptable, counts["acceptable"]);
        Assert.Equal(root.GetProperty("numberOfTests").GetInt32(), valid + invalid + acceptable);
    }

    // The group's JWK as published by Wycheproof; a few ECDSA groups carry only the affine coordinates in hex, from
    // which the same JWK is written (coordinates left-padded to the field size, as RFC 7518 §6.2.1.2 requires).
    internal static JsonDocument GroupJwk(JsonElement group)
    {
        if (group.TryGetProperty("publicKeyJwk", out var jwk) || group.TryGetProperty("keyJwk", out jwk))
        {
            return JsonDocument.Parse(jwk.GetRawText());
        }

        var publicKey = group.GetProperty("publicKey");
        var (crv, size) = publicKey.GetProperty("curve").GetString() switch
        {
            "secp256r1" => ("P-256", 32),
            "secp384r1" => ("P-384", 48),
            "secp521r1" => ("P-521", 66),
            var other => throw new InvalidOperationException($"Unexpected curve {other} in a Wycheproof group without a JWK."),
        };
        var x = Coordinate(publicKey.GetProperty("wx").GetString()!, size);
        var y = Coordinate(publicKey.GetProperty("wy").GetString()!, size);
        return JsonDocument.Parse(JsonSerializer.Serialize(new Dictionary<string, string> { ["kty"] = "EC", ["crv"] = crv, ["x"] = x, ["y"] = y }));
    }

    private static string Coordinate(string hex, int size)
    {
        var bytes = Convert.FromHexString(hex).AsSpan();
        while (bytes.Length > size && bytes[0] == 0)
        {
            bytes = bytes[1..];
        }

        var padded = new byte[Math.Max(size, bytes.Length)];
        bytes.CopyTo(padded.AsSpan(padded.Length - bytes.Length));
        return Base64Url.Encode(padded);
    }
}
