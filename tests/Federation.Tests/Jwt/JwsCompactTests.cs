using FsCheck;
using FsCheck.Fluent;
using System.Text;
using WorkloadFederation.Federation.Jwt;

using Xunit;

namespace WorkloadFederation.Federation.Tests.Jwt;

public sealed class JwsCompactTests
{
    private const string Header = """{"alg":"RS256","kid":"k1","typ":"JWT"}""";
    private const string Payload = """{"iss":"https://issuer.example","sub":"repo:o/r","aud":"acme.example.com","exp":1700000600,"nbf":1700000000,"iat":1700000000,"jti":"j-1"}""";

    [Fact]
    public void TryParse_WellFormedToken_ExposesHeaderClaimsAndSigningInput()
    {
        var token = TestJwt.Unsigned(Header, Payload);
        var jwt = TestJwt.Parse(token);

        Assert.Equal("RS256", jwt.Algorithm);
        Assert.Equal("k1", jwt.KeyId);
        Assert.Equal("JWT", jwt.Type);
        Assert.Empty(jwt.Critical);
        Assert.Equal(token[..token.LastIndexOf('.')], Encoding.ASCII.GetString(jwt.SigningInput.Span));
        Assert.Equal("sig", Encoding.ASCII.GetString(jwt.Signature.Span));
        Assert.Equal(Payload, Encoding.UTF8.GetString(jwt.PayloadBytes.Span));
        Assert.Equal("https://issuer.example", jwt.ReadIssuer().Value);
        Assert.Equal("repo:o/r", jwt.ReadSubject().Value);
        Assert.Equal(["acme.example.com"], jwt.ReadAudience().Value!);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000600), jwt.ReadExpires().Value);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000000), jwt.ReadNotBefore().Value);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000000), jwt.ReadIssuedAt().Value);
        Assert.Equal("j-1", jwt.ReadJwtId().Value);
    }

    [Fact]
    public void TryParse_EmptySignatureSegment_IsReadSoThatTheAlgorithmCheckRefusesIt()
    {
        var jwt = TestJwt.Parse(TestJwt.Segment("""{"alg":"none"}""") + "." + TestJwt.Segment(Payload) + ".");
        Assert.Equal("none", jwt.Algorithm);
        Assert.True(jwt.Signature.IsEmpty);
    }

    public static TheoryData<string, string, JwtFormatErrorKind> Malformed()
    {
        var h = TestJwt.Segment(Header);
        var p = TestJwt.Segment(Payload);
        var deep = new string('[', 40) + new string(']', 40);
        return new()
        {
            { "empty", "", JwtFormatErrorKind.Empty },
            { "one segment", h, JwtFormatErrorKind.WrongSegmentCount },
            { "two segments", $"{h}.{p}", JwtFormatErrorKind.WrongSegmentCount },
            { "four segments", $"{h}.{p}.c2ln.c2ln", JwtFormatErrorKind.WrongSegmentCount },
            { "JWE shaped", $"{h}.{p}.c2ln.c2ln.c2ln", JwtFormatErrorKind.EncryptedToken },
            { "empty header", $".{p}.c2ln", JwtFormatErrorKind.InvalidBase64Url },
            { "empty payload", $"{h}..c2ln", JwtFormatErrorKind.InvalidBase64Url },
            { "padded header", $"{h}=.{p}.c2ln", JwtFormatErrorKind.InvalidBase64Url },
            { "padded signature", $"{h}.{p}.c2ln==", JwtFormatErrorKind.InvalidBase64Url },
            { "standard alphabet", $"{h}.{p}.a+b/", JwtFormatErrorKind.InvalidBase64Url },
            { "whitespace", $"{h}.{p} .c2ln", JwtFormatErrorKind.InvalidBase64Url },
            { "non-canonical bits", $"{h}.{p}.Zh", JwtFormatErrorKind.InvalidBase64Url },
            { "header not JSON", $"{TestJwt.Segment("alg")}.{p}.c2ln", JwtFormatErrorKind.InvalidJson },
            { "header an array", $"{TestJwt.Segment("[1]")}.{p}.c2ln", JwtFormatErrorKind.InvalidJson },
            { "payload a string", $"{h}.{TestJwt.Segment("\"x\"")}.c2ln", JwtFormatErrorKind.InvalidJson },
            { "payload a number", $"{h}.{TestJwt.Segment("5")}.c2ln", JwtFormatErrorKind.InvalidJson },
            { "payload trailing garbage", $"{h}.{TestJwt.Segment("{} x")}.c2ln", JwtFormatErrorKind.InvalidJson },
            { "payload two objects", $"{h}.{TestJwt.Segment("{}{}")}.c2ln", JwtFormatErrorKind.InvalidJson },
            { "payload trailing comma", $"{h}.{TestJwt.Segment("{\"a\":1,}")}.c2ln", JwtFormatErrorKind.InvalidJson },
            { "payload comment", $"{h}.{TestJwt.Segment("{/*c*/}")}.c2ln", JwtFormatErrorKind.InvalidJson },
            { "payload with BOM", $"{h}.{Base64Url.Encode([0xEF, 0xBB, 0xBF, (byte)'{', (byte)'}'])}.c2ln", JwtFormatErrorKind.InvalidJson },
            { "payload invalid UTF-8", $"{h}.{Base64Url.Encode([(byte)'{', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)':', (byte)'1', (byte)'}'])}.c2ln", JwtFormatErrorKind.InvalidJson },
            { "payload lone surrogate in a value", $"{h}.{TestJwt.Segment("{\"sub\":\"\\udc00x\"}")}.c2ln", JwtFormatErrorKind.InvalidJson },
            { "header lone surrogate in kid", $"{TestJwt.Segment("{\"alg\":\"RS256\",\"kid\":\"\\ud800\"}")}.{p}.c2ln", JwtFormatErrorKind.InvalidJson },
            { "payload lone surrogate escape", $"{h}.{TestJwt.Segment("{\"\\ud800\":1}")}.c2ln", JwtFormatErrorKind.InvalidJson },
            { "payload duplicate key", $"{h}.{TestJwt.Segment("{\"sub\":\"a\",\"sub\":\"b\"}")}.c2ln", JwtFormatErrorKind.DuplicateMember },
            { "payload duplicate escaped key", $"{h}.{TestJwt.Segment("{\"sub\":\"a\",\"\\u0073ub\":\"b\"}")}.c2ln", JwtFormatErrorKind.DuplicateMember },
            { "payload nested duplicate key", $"{h}.{TestJwt.Segment("{\"a\":{\"x\":1,\"x\":2}}")}.c2ln", JwtFormatErrorKind.DuplicateMember },
            { "header duplicate alg", $"{TestJwt.Segment("{\"alg\":\"RS256\",\"alg\":\"none\"}")}.{p}.c2ln", JwtFormatErrorKind.DuplicateMember },
            { "payload too deep", $"{h}.{TestJwt.Segment("{\"a\":" + deep + "}")}.c2ln", JwtFormatErrorKind.TooDeep },
            { "no alg", $"{TestJwt.Segment("{\"kid\":\"k\"}")}.{p}.c2ln", JwtFormatErrorKind.InvalidHeader },
            { "alg a number", $"{TestJwt.Segment("{\"alg\":256}")}.{p}.c2ln", JwtFormatErrorKind.InvalidHeader },
            { "alg empty", $"{TestJwt.Segment("{\"alg\":\"\"}")}.{p}.c2ln", JwtFormatErrorKind.InvalidHeader },
            { "kid a number", $"{TestJwt.Segment("{\"alg\":\"RS256\",\"kid\":1}")}.{p}.c2ln", JwtFormatErrorKind.InvalidHeader },
            { "kid empty", $"{TestJwt.Segment("{\"alg\":\"RS256\",\"kid\":\"\"}")}.{p}.c2ln", JwtFormatErrorKind.InvalidHeader },
            { "kid enormous", $"{TestJwt.Segment("{\"alg\":\"RS256\",\"kid\":\"" + new string('k', 300) + "\"}")}.{p}.c2ln", JwtFormatErrorKind.InvalidHeader },
            { "typ an object", $"{TestJwt.Segment("{\"alg\":\"RS256\",\"typ\":{}}")}.{p}.c2ln", JwtFormatErrorKind.InvalidHeader },
            { "crit unknown extension", $"{TestJwt.Segment("{\"alg\":\"RS256\",\"crit\":[\"exp\"],\"exp\":1}")}.{p}.c2ln", JwtFormatErrorKind.UnsupportedCriticalHeader },
            { "crit b64", $"{TestJwt.Segment("{\"alg\":\"RS256\",\"crit\":[\"b64\"],\"b64\":false}")}.{p}.c2ln", JwtFormatErrorKind.UnsupportedCriticalHeader },
            { "crit empty", $"{TestJwt.Segment("{\"alg\":\"RS256\",\"crit\":[]}")}.{p}.c2ln", JwtFormatErrorKind.InvalidHeader },
            { "crit a string", $"{TestJwt.Segment("{\"alg\":\"RS256\",\"crit\":\"x\"}")}.{p}.c2ln", JwtFormatErrorKind.InvalidHeader },
            { "crit registered name", $"{TestJwt.Segment("{\"alg\":\"RS256\",\"crit\":[\"alg\"]}")}.{p}.c2ln", JwtFormatErrorKind.InvalidHeader },
        };
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void TryParse_MalformedToken_IsRefusedWithTheSpecificKind(string name, string token, JwtFormatErrorKind expected)
    {
        Assert.True(expected == TestJwt.ParseError(token), name);
    }

    [Fact]
    public void TryParse_TokenOverTheSizeLimit_IsRefusedNamingTheLimit()
    {
        var limits = JwtReadLimits.Default with { MaxTokenLength = 100 };
        var token = TestJwt.Unsigned(Header, Payload);
        Assert.False(JwsCompact.TryParse(token, limits, out _, out var error));
        Assert.Equal(JwtFormatErrorKind.TooLarge, error.Kind);
        Assert.Contains("100", error.Detail);
    }

    [Fact]
    public void TryParse_Payload10000Deep_IsRefusedAsTooDeepWithoutStackExhaustion()
    {
        var payload = "{\"a\":" + new string('[', 10000) + new string(']', 10000) + "}";
        var token = $"{TestJwt.Segment(Header)}.{TestJwt.Segment(payload)}.c2ln";
        Assert.Equal(JwtFormatErrorKind.TooDeep, TestJwt.ParseError(token, JwtReadLimits.Default with { MaxTokenLength = 1024 * 1024 }));
        Assert.Equal(JwtFormatErrorKind.TooLarge, TestJwt.ParseError(token));
    }

    [Theory]
    [InlineData(32, true)]
    [InlineData(33, false)]
    public void TryParse_NestingAtTheDepthLimit_IsAcceptedAndOneDeeperIsRefused(int levels, bool accepted)
    {
        // The payload object is level 1; each array adds one.
        var payload = "{\"a\":" + new string('[', levels - 1) + new string(']', levels - 1) + "}";
        var token = TestJwt.Unsigned(Header, payload);
        if (accepted)
        {
            TestJwt.Parse(token);
        }
        else
        {
            Assert.Equal(JwtFormatErrorKind.TooDeep, TestJwt.ParseError(token));
        }
    }

    [Fact]
    public void TryParse_EscapedStringsThatAreValid_AreUnescaped()
    {
        var jwt = TestJwt.Parse(TestJwt.Unsigned(Header, "{\"sub\":\"a\\u00e9\\ud83d\\ude00\\n\"}"));
        Assert.Equal("a\u00e9\U0001F600\n", jwt.ReadSubject().Value);
    }

    [Fact]
    public void TryParse_CritUnderstoodByCaller_IsAccepted()
    {
        var limits = JwtReadLimits.Default with { UnderstoodCriticalHeaders = new HashSet<string> { "ext" } };
        var token = TestJwt.Unsigned("""{"alg":"ES256","crit":["ext"],"ext":true}""", Payload);
        Assert.True(JwsCompact.TryParse(token, limits, out var jwt, out _));
        Assert.Equal(["ext"], jwt!.Critical);
    }

    [Fact]
    public void TryParse_RandomStrings_NeverThrow()
    {
        Prop.ForAll<string>(s =>
        {
            var ok = JwsCompact.TryParse(s, JwtReadLimits.Default, out var jwt, out var error);
            return ok == (jwt is not null) && ok != error.IsError;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void TryParse_RandomSegmentsOfValidBase64_NeverThrow()
    {
        Prop.ForAll<byte[], byte[]>((a, b) =>
        {
            var token = $"{Base64Url.Encode(a)}.{Base64Url.Encode(b)}.c2ln";
            JwsCompact.TryParse(token, JwtReadLimits.Default, out _, out _);
            return true;
        }).QuickCheckThrowOnFailure();
    }
}
