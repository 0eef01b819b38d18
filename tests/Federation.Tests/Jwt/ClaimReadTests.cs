using WorkloadFederation.Federation.Jwt;

using Xunit;

namespace WorkloadFederation.Federation.Tests.Jwt;

public sealed class ClaimReadTests
{
    private static ParsedJwt WithPayload(string payload) => TestJwt.Parse(TestJwt.Unsigned("""{"alg":"RS256"}""", payload));

    [Theory]
    [InlineData("string", "\"1700000000\"")]
    [InlineData("fraction", "1700000000.5")]
    [InlineData("negative", "-1")]
    [InlineData("huge", "99999999999999999999999")]
    [InlineData("after year 9999", "253402300800")]
    [InlineData("boolean", "true")]
    [InlineData("null", "null")]
    [InlineData("array", "[1700000000]")]
    [InlineData("exponent overflow", "1e400")]
    [InlineData("integer written with exponent", "1.7e9")]
    public void ReadExpires_NotAnIntegerNumericDate_IsInvalid(string name, string value)
    {
        var read = WithPayload($$"""{"exp":{{value}}}""").ReadExpires();
        Assert.True(read.Status == ClaimReadStatus.Invalid, name);
        Assert.Contains("exp", read.Problem);
    }

    [Fact]
    public void ReadNumericDates_Absent_AreMissing()
    {
        var jwt = WithPayload("{}");
        Assert.Equal(ClaimReadStatus.Missing, jwt.ReadExpires().Status);
        Assert.Equal(ClaimReadStatus.Missing, jwt.ReadNotBefore().Status);
        Assert.Equal(ClaimReadStatus.Missing, jwt.ReadIssuedAt().Status);
        Assert.Equal(ClaimReadStatus.Missing, jwt.ReadAudience().Status);
        Assert.Equal(ClaimReadStatus.Missing, jwt.ReadIssuer().Status);
    }

    [Theory]
    [InlineData("zero", "0", 0L)]
    [InlineData("max", "253402300799", 253_402_300_799L)]
    public void ReadIssuedAt_IntegralNumber_IsPresent(string name, string value, long expected)
    {
        var read = WithPayload($$"""{"iat":{{value}}}""").ReadIssuedAt();
        Assert.True(read.IsPresent, name);
        Assert.Equal(expected, read.Value.ToUnixTimeSeconds());
    }

    [Fact]
    public void ReadAudience_Array_IsListInOrder()
    {
        var read = WithPayload("""{"aud":["a","b"]}""").ReadAudience();
        Assert.Equal(["a", "b"], read.Value!);
    }

    [Theory]
    [InlineData("empty array", "[]")]
    [InlineData("array with number", "[\"a\",1]")]
    [InlineData("array with null", "[null]")]
    [InlineData("number", "5")]
    [InlineData("object", "{}")]
    [InlineData("null", "null")]
    public void ReadAudience_WrongShape_IsInvalid(string name, string value)
    {
        Assert.True(WithPayload($$"""{"aud":{{value}}}""").ReadAudience().Status == ClaimReadStatus.Invalid, name);
    }

    [Theory]
    [InlineData("number", "5")]
    [InlineData("array", "[\"https://i\"]")]
    [InlineData("null", "null")]
    public void ReadIssuer_NotAString_IsInvalidWithoutEchoingTheValue(string name, string value)
    {
        var read = WithPayload($$"""{"iss":{{value}}}""").ReadIssuer();
        Assert.True(read.Status == ClaimReadStatus.Invalid, name);
        Assert.DoesNotContain("https://i", read.Problem);
    }
}
