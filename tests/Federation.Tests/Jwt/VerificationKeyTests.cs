using System.Security.Cryptography;
using System.Text;
using WorkloadFederation.Federation.Credentials;
using WorkloadFederation.Federation.Jwt;

using Xunit;

namespace WorkloadFederation.Federation.Tests.Jwt;

public sealed class VerificationKeyTests
{
    private const string Payload = """{"iss":"https://i","sub":"s"}""";

    private static readonly RSA Rsa2048 = RSA.Create(2048);

    [Theory]
    [InlineData("RS256")]
    [InlineData("RS384")]
    [InlineData("RS512")]
    [InlineData("PS256")]
    [InlineData("PS384")]
    [InlineData("PS512")]
    public void Verify_RsaSignature_AcceptsOnlyTheRightAlgorithmAndBytes(string alg)
    {
        var key = TestJwt.Key(TestJwt.RsaJwk(Rsa2048, "k"));
        var jwt = TestJwt.Parse(TestJwt.SignRsa(Rsa2048, alg, $$"""{"alg":"{{alg}}"}""", Payload));

        Assert.True(key.Verify(alg, jwt.SigningInput.Span, jwt.Signature.Span));
        Assert.False(key.Verify(alg == "RS256" ? "PS256" : "RS256", jwt.SigningInput.Span, jwt.Signature.Span));
        var tampered = jwt.Signature.ToArray();
        tampered[^1] ^= 1;
        Assert.False(key.Verify(alg, jwt.SigningInput.Span, tampered));
        Assert.False(key.Verify(alg, jwt.SigningInput.Span, jwt.Signature.Span[1..]));
        Assert.False(key.Verify(alg, Encoding.ASCII.GetBytes("x"), jwt.Signature.Span));
    }

    [Theory]
    [InlineData("P-256", "ES256")]
    [InlineData("P-384", "ES384")]
    [InlineData("P-521", "ES512")]
    public void Verify_EcdsaRawSignature_AcceptedButDerRefused(string crv, string alg)
    {
        var curve = crv switch { "P-256" => ECCurve.NamedCurves.nistP256, "P-384" => ECCurve.NamedCurves.nistP384, _ => ECCurve.NamedCurves.nistP521 };
        var hash = alg switch { "ES256" => HashAlgorithmName.SHA256, "ES384" => HashAlgorithmName.SHA384, _ => HashAlgorithmName.SHA512 };
        using var ecdsa = ECDsa.Create(curve);
        var key = TestJwt.Key(TestJwt.EcJwk(ecdsa, crv));
        var jwt = TestJwt.Parse(TestJwt.SignEc(ecdsa, hash, $$"""{"alg":"{{alg}}"}""", Payload));

        Assert.True(key.Verify(alg, jwt.SigningInput.Span, jwt.Signature.Span));
        var der = ecdsa.SignData(jwt.SigningInput.Span, hash, DSASignatureFormat.Rfc3279DerSequence);
        Assert.True(ecdsa.VerifyData(jwt.SigningInput.Span, der, hash, DSASignatureFormat.Rfc3279DerSequence));
        Assert.False(key.Verify(alg, jwt.SigningInput.Span, der));
        Assert.False(key.Verify("ES256" == alg ? "ES384" : "ES256", jwt.SigningInput.Span, jwt.Signature.Span));
    }

    [Fact]
    public void Verify_EcdsaZeroSignature_IsRefused()
    {
        // The "psychic signature" class (CVE-2022-21449): r = s = 0 must never verify.
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var key = TestJwt.Key(TestJwt.EcJwk(ecdsa, "P-256"));
        Assert.False(key.Verify("ES256", Encoding.ASCII.GetBytes("a.b"), new byte[64]));
    }

    [Fact]
    public void Verify_Ed25519Signature_Accepted()
    {
        var pair = Ed25519Keys.Generate();
        var key = TestJwt.Key(TestJwt.Ed25519Jwk(pair));
        var jwt = TestJwt.Parse(TestJwt.SignEd25519(pair, """{"alg":"EdDSA"}""", Payload));

        Assert.True(key.Verify("EdDSA", jwt.SigningInput.Span, jwt.Signature.Span));
        Assert.False(key.Verify("ES256", jwt.SigningInput.Span, jwt.Signature.Span));
        Assert.False(key.Verify("EdDSA", Encoding.ASCII.GetBytes("other"), jwt.Signature.Span));
    }

    [Theory]
    [InlineData("EdDSA")]
    [InlineData("Ed25519")]
    public void Verify_Ed25519KeyUnderEitherAlgorithmName_Accepted(string alg)
    {
        // RFC 9864 §2.2: "Ed25519" is the fully specified name of the same signature as "EdDSA" over Ed25519.
        var pair = Ed25519Keys.Generate();
        var jwt = TestJwt.Parse(TestJwt.SignEd25519(pair, $$"""{"alg":"{{alg}}"}""", Payload));

        Assert.True(TestJwt.Key(TestJwt.Ed25519Jwk(pair)).Verify(alg, jwt.SigningInput.Span, jwt.Signature.Span));
        Assert.True(TestJwt.Key(TestJwt.Ed25519Jwk(pair, alg: alg)).Verify(alg, jwt.SigningInput.Span, jwt.Signature.Span));
        // A JWK that names one of the two is held to that name, as for any declared alg.
        var other = alg == "EdDSA" ? "Ed25519" : "EdDSA";
        Assert.False(TestJwt.Key(TestJwt.Ed25519Jwk(pair, alg: other)).Verify(alg, jwt.SigningInput.Span, jwt.Signature.Span));
    }

    [Theory]
    [InlineData("none")]
    [InlineData("None")]
    [InlineData("HS256")]
    [InlineData("rs256")]
    [InlineData("")]
    public void Verify_UnsupportedAlgorithm_IsRefusedEvenWithAValidSignature(string alg)
    {
        var key = TestJwt.Key(TestJwt.RsaJwk(Rsa2048));
        var jwt = TestJwt.Parse(TestJwt.SignRsa(Rsa2048, "RS256", """{"alg":"RS256"}""", Payload));
        Assert.False(key.Verify(alg, jwt.SigningInput.Span, jwt.Signature.Span));
    }

    [Fact]
    public void Verify_DeclaredAlgorithm_RestrictsTheKey()
    {
        var key = TestJwt.Key(TestJwt.RsaJwk(Rsa2048, alg: "PS256"));
        var jwt = TestJwt.Parse(TestJwt.SignRsa(Rsa2048, "RS256", """{"alg":"RS256"}""", Payload));
        Assert.False(key.Supports("RS256"));
        Assert.False(key.Verify("RS256", jwt.SigningInput.Span, jwt.Signature.Span));
    }

    [Fact]
    public void Verify_ManyThreadsOnOneKey_AllSucceed()
    {
        var key = TestJwt.Key(TestJwt.RsaJwk(Rsa2048));
        var jwt = TestJwt.Parse(TestJwt.SignRsa(Rsa2048, "RS256", """{"alg":"RS256"}""", Payload));
        var results = new bool[400];
        Parallel.For(0, results.Length, i => results[i] = key.Verify("RS256", jwt.SigningInput.Span, jwt.Signature.Span));
        Assert.All(results, Assert.True);
    }

    public static TheoryData<string, string, string> RefusedJwks()
    {
        using var small = RSA.Create(1024);
        var smallJwk = TestJwt.RsaJwk(small);
        using var p256 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var ec = TestJwt.EcJwk(p256, "P-256");
        var rsa = TestJwt.RsaJwk(Rsa2048);
        return new()
        {
            { "RSA 1024", smallJwk, "minimum is 2048" },
            { "symmetric", """{"kty":"oct","k":"c2VjcmV0"}""", "private or symmetric" },
            { "unknown kty", """{"kty":"XYZ"}""", "kty" },
            { "no kty", """{"n":"AQAB"}""", "kty" },
            { "kty number", """{"kty":1}""", "kty" },
            { "private RSA", rsa.TrimEnd('}') + ""","d":"AQAB"}""", "private" },
            { "encryption use", rsa.TrimEnd('}') + ""","use":"enc"}""", "use" },
            { "key_ops without verify", rsa.TrimEnd('}') + ""","key_ops":["encrypt"]}""", "key_ops" },
            { "alg HS256", rsa.TrimEnd('}') + ""","alg":"HS256"}""", "alg" },
            { "alg mismatch", rsa.TrimEnd('}') + ""","alg":"ES256"}""", "alg" },
            { "EC alg wrong curve", ec.TrimEnd('}') + ""","alg":"ES384"}""", "alg" },
            { "EC unknown curve", ec.Replace("P-256", "secp256k1"), "crv" },
            { "EC off curve", ec.Replace("\"y\":\"", "\"y\":\"A"), "coordinates" },
            { "EC point not on curve", """{"kty":"EC","crv":"P-256","x":"AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","y":"AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}""", "not on its curve" },
            { "RSA even exponent", rsa.Replace("\"e\":\"AQAB\"", "\"e\":\"AQAC\""), "exponent" },
            { "RSA padded modulus", rsa.Replace("\",\"e\"", "=\",\"e\""), "base64url" },
            { "OKP Ed448", """{"kty":"OKP","crv":"Ed448","x":"AAAA"}""", "Ed25519" },
            { "OKP short key", """{"kty":"OKP","crv":"Ed25519","x":"AAAA"}""", "32 bytes" },
            { "not an object", "[]", "object" },
        };
    }

    [Theory]
    [MemberData(nameof(RefusedJwks))]
    public void TryCreate_UnusableJwk_IsRefusedWithAReason(string name, string jwk, string expectedInError)
    {
        var error = TestJwt.KeyError(jwk);
        Assert.True(error is not null && error.Contains(expectedInError, StringComparison.Ordinal), $"{name}: {error}");
    }
}
