using System.Text;
using FsCheck;
using FsCheck.Fluent;
using WorkloadFederation.Federation.Jwt;

using Xunit;

namespace WorkloadFederation.Federation.Tests.Jwt;

public sealed class Base64UrlTests
{
    [Theory]
    [InlineData("", "")]
    [InlineData("Zg", "f")]
    [InlineData("Zm8", "fo")]
    [InlineData("Zm9v", "foo")]
    [InlineData("Zm9vYg", "foob")]
    public void TryDecode_CanonicalInput_DecodesRfc4648Vectors(string encoded, string expected)
    {
        Assert.True(Base64Url.TryDecode(encoded, out var bytes));
        Assert.Equal(expected, Encoding.ASCII.GetString(bytes));
    }

    [Theory]
    [InlineData("padding", "Zg==")]
    [InlineData("single padding", "Zm8=")]
    [InlineData("plus from standard alphabet", "a+b/")]
    [InlineData("whitespace", "Zm9 v")]
    [InlineData("impossible length", "Zm9vY")]
    [InlineData("non-canonical trailing bits, 2 chars", "Zh")]
    [InlineData("non-canonical trailing bits, 3 chars", "Zm9")]
    [InlineData("non-ASCII", "Zm9é")]
    public void TryDecode_NonStrictInput_IsRefused(string name, string encoded)
    {
        Assert.False(Base64Url.TryDecode(encoded, out _), name);
    }

    [Fact]
    public void EncodeThenDecode_AnyBytes_RoundTripsAndMatchesPlatformBase64()
    {
        Prop.ForAll<byte[]>(bytes =>
        {
            var encoded = Base64Url.Encode(bytes);
            var platform = Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            return encoded == platform && Base64Url.TryDecode(encoded, out var back) && back.AsSpan().SequenceEqual(bytes);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void TryDecode_AnyAlphabetString_AcceptsOnlyTheCanonicalEncoding()
    {
        var alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/ ".ToCharArray();
        var strings = Gen.Elements(alphabet).ArrayOf().Select(chars => new string(chars));
        Prop.ForAll(Arb.From(strings), s =>
            !Base64Url.TryDecode(s, out var bytes) || Base64Url.Encode(bytes) == s).QuickCheckThrowOnFailure();
    }
}
