using System.Security.Cryptography;
using System.Text;
using WorkloadFederation.Federation.Jwt;

using Xunit;

namespace WorkloadFederation.Federation.Tests.Jwt;

public sealed class JsonWebKeySetTests
{
    private static readonly RSA RsaA = RSA.Create(2048);
    private static readonly RSA RsaB = RSA.Create(2048);

    private static JsonWebKeySet Parse(string json, JwksLimits? limits = null)
    {
        Assert.True(JsonWebKeySet.TryParse(Encoding.UTF8.GetBytes(json), limits ?? JwksLimits.Default, out var set, out var error), error);
        return set!;
    }

    private static string ParseError(string json, JwksLimits? limits = null)
    {
        Assert.False(JsonWebKeySet.TryParse(Encoding.UTF8.GetBytes(json), limits ?? JwksLimits.Default, out var set, out var error));
        Assert.Null(set);
        return error!;
    }

    [Fact]
    public void Find_ByKid_ReturnsTheKeyThatVerifies()
    {
        var set = Parse($$"""{"keys":[{{TestJwt.RsaJwk(RsaA, "a")}},{{TestJwt.RsaJwk(RsaB, "b")}}]}""");
        var jwt = TestJwt.Parse(TestJwt.SignRsa(RsaB, "RS256", """{"alg":"RS256","kid":"b"}""", "{}"));

        var lookup = set.Find(jwt.KeyId, jwt.Algorithm);
        Assert.Equal(KeyLookupStatus.Found, lookup.Status);
        Assert.True(lookup.Key!.Verify(jwt.Algorithm, jwt.SigningInput.Span, jwt.Signature.Span));
        Assert.Equal(KeyLookupStatus.NotFound, set.Find("c", "RS256").Status);
        Assert.Equal(KeyLookupStatus.AlgorithmMismatch, set.Find("b", "ES256").Status);
    }

    [Fact]
    public void Find_DuplicateKid_IsAmbiguousNeverFirstMatch()
    {
        var set = Parse($$"""{"keys":[{{TestJwt.RsaJwk(RsaA, "same")}},{{TestJwt.RsaJwk(RsaB, "same")}},{{TestJwt.RsaJwk(RsaB, "other")}}]}""");
        Assert.Equal(KeyLookupStatus.Ambiguous, set.Find("same", "RS256").Status);
        Assert.Equal(KeyLookupStatus.Found, set.Find("other", "RS256").Status);
        Assert.Equal(["same"], set.AmbiguousKeyIds);
        Assert.True(set.ContainsKeyId("same"));
    }

    [Fact]
    public void Find_NoKidInToken_UsesTheSingleKeyForTheAlgorithmOnly()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var one = Parse($$"""{"keys":[{{TestJwt.RsaJwk(RsaA, "a")}},{{TestJwt.EcJwk(ec, "P-256", "e")}}]}""");
        Assert.Equal(KeyLookupStatus.Found, one.Find(null, "RS256").Status);
        Assert.Equal("a", one.Find(null, "RS256").Key!.KeyId);
        var two = Parse($$"""{"keys":[{{TestJwt.RsaJwk(RsaA, "a")}},{{TestJwt.RsaJwk(RsaB, "b")}}]}""");
        Assert.Equal(KeyLookupStatus.Ambiguous, two.Find(null, "RS256").Status);
        Assert.Equal(KeyLookupStatus.NotFound, two.Find(null, "ES256").Status);
    }

    [Fact]
    public void TryParse_UnusableKeys_AreSkippedWithReasons()
    {
        using var small = RSA.Create(1024);
        var set = Parse($$"""{"keys":[{"kty":"oct","k":"AA"},{{TestJwt.RsaJwk(small, "weak")}},{"kty":"RSA","use":"enc","n":"AQAB","e":"AQAB"},{{TestJwt.RsaJwk(RsaA, "good")}}]}""");
        Assert.Single(set.Keys);
        Assert.Equal("good", set.Keys[0].KeyId);
        Assert.Equal(3, set.Skipped.Count);
        Assert.StartsWith("keys[1]:", set.Skipped[1]);
        Assert.Equal(KeyLookupStatus.NotFound, set.Find("weak", "RS256").Status);
    }

    [Theory]
    [InlineData("not an object", "[]", "not a JSON object")]
    [InlineData("no keys", "{}", "no keys array")]
    [InlineData("keys not an array", "{\"keys\":{}}", "no keys array")]
    [InlineData("duplicate member", "{\"keys\":[],\"keys\":[]}", "twice")]
    [InlineData("not JSON", "{keys}", "not valid JSON")]
    public void TryParse_NotAJwks_IsRefused(string name, string json, string expected)
    {
        var error = ParseError(json);
        Assert.True(error.Contains(expected, StringComparison.Ordinal), $"{name}: {error}");
    }

    [Fact]
    public void TryParse_OverLimits_IsRefusedNamingTheLimit()
    {
        var jwk = TestJwt.RsaJwk(RsaA, "a");
        var json = $$"""{"keys":[{{string.Join(",", Enumerable.Repeat(jwk, 3))}}]}""";
        Assert.Contains("limit of 2", ParseError(json, JwksLimits.Default with { MaxKeys = 2 }));
        Assert.Contains("limit of 100 bytes", ParseError(json, JwksLimits.Default with { MaxBytes = 100 }));
    }

    [Fact]
    public void TryParse_PlatformShapedJwks_KeepsSigningKeysAndSkipsOthers()
    {
        // GitHub-style entries carry x5c/x5t; mixed sets may publish encryption keys too.
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var rsa = TestJwt.RsaJwk(RsaA, "gh-1", "RS256").TrimEnd('}') + ""","use":"sig","key_ops":["verify"],"x5c":["MIIB"],"x5t":"abc"}""";
        var ec = TestJwt.EcJwk(p384, "P-384", "aws-es384", "ES384");
        var enc = TestJwt.RsaJwk(RsaB, "enc-1").TrimEnd('}') + ""","use":"enc","alg":"RSA-OAEP"}""";
        var set = Parse("{\"keys\":[" + rsa + "," + ec + "," + enc + "],\"extra\":{\"ignored\":true}}");

        Assert.Equal(["gh-1", "aws-es384"], set.Keys.Select(k => k.KeyId));
        Assert.Single(set.Skipped);
        Assert.Equal(KeyLookupStatus.Found, set.Find("aws-es384", "ES384").Status);
        Assert.Equal(KeyLookupStatus.AlgorithmMismatch, set.Find("gh-1", "PS256").Status);
    }

    [Fact]
    public void TryParse_EmptyKeys_IsAnEmptySet()
    {
        Assert.Empty(Parse("""{"keys":[]}""").Keys);
    }
}
