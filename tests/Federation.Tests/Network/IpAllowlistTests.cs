using System.Net;
using WorkloadFederation.Federation.Network;
using Xunit;

namespace WorkloadFederation.Federation.Tests.Network;

public sealed class IpAllowlistTests
{
    [Theory]
    [InlineData("10.1.2.3/8", "10.0.0.0/8")]
    [InlineData("192.168.1.77", "192.168.1.77/32")]
    [InlineData("0.0.0.0/0", "0.0.0.0/0")]
    [InlineData("2001:DB8::1/32", "2001:db8::/32")]
    [InlineData("2001:db8:0:0:0:0:0:1", "2001:db8::1/128")]
    [InlineData("::ffff:10.1.2.3/104", "10.0.0.0/8")]
    [InlineData("::ffff:192.0.2.9", "192.0.2.9/32")]
    [InlineData("::/0", "::/0")]
    public void Parse_ValidEntry_IsNormalisedToCanonicalNetwork(string entry, string expected)
    {
        var result = IpAllowlist.Parse([entry]);

        Assert.True(result.Success, string.Join("; ", result.Errors));
        Assert.Equal([expected], result.Allowlist!.Entries);
    }

    [Theory]
    [InlineData("10.0.0.0/33", "prefix length 33 exceeds 32")]
    [InlineData("2001:db8::/129", "prefix length 129 exceeds 128")]
    [InlineData("10.0.0/8", "four dotted decimal octets")]
    [InlineData("010.0.0.1", "no leading zeros")]
    [InlineData("256.0.0.1", "each octet 0-255")]
    [InlineData("0x0a.0.0.1", "each octet 0-255")]
    [InlineData("10.0.0.0/", "not a decimal number")]
    [InlineData("10.0.0.0/08", "not a decimal number")]
    [InlineData("10.0.0.0/-1", "not a decimal number")]
    [InlineData("fe80::1%eth0", "not a valid IPv6 address")]
    [InlineData("example.com", "four dotted decimal octets")]
    [InlineData("", "empty")]
    public void Parse_InvalidEntry_ReportsIndexAndProblem(string entry, string expectedFragment)
    {
        var result = IpAllowlist.Parse(["10.0.0.0/8", entry]);

        Assert.False(result.Success);
        var error = Assert.Single(result.Errors);
        Assert.Equal(1, error.Index);
        Assert.Contains(expectedFragment, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("ip_allowlist[1]: ", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SeveralInvalidEntries_ReportsEveryOne()
    {
        var result = IpAllowlist.Parse(["bad", "10.0.0.0/8", "1.2.3.4/40"]);

        Assert.Equal([0, 2], result.Errors.Select(e => e.Index));
    }

    [Fact]
    public void Parse_MoreThan32Entries_IsRefusedNamingTheLimit()
    {
        var entries = Enumerable.Range(0, 33).Select(i => $"10.0.{i}.0/24").ToList();

        var result = IpAllowlist.Parse(entries);

        Assert.False(result.Success);
        Assert.Contains("at most 32", Assert.Single(result.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Exactly32Entries_IsAccepted()
    {
        var entries = Enumerable.Range(0, 32).Select(i => $"10.0.{i}.0/24").ToList();

        Assert.True(IpAllowlist.Parse(entries).Success);
    }

    [Fact]
    public void Parse_DuplicatesAfterNormalisation_AreKeptOnce()
    {
        var result = IpAllowlist.Parse(["10.1.0.0/8", "10.2.0.0/8"]);

        Assert.Equal(["10.0.0.0/8"], result.Allowlist!.Entries);
    }

    [Theory]
    [InlineData("10.0.0.0/8", "10.255.1.2", true)]
    [InlineData("10.0.0.0/8", "11.0.0.1", false)]
    [InlineData("10.0.0.0/8", "::ffff:10.9.9.9", true)]
    [InlineData("::ffff:10.0.0.0/104", "10.9.9.9", true)]
    [InlineData("192.0.2.5", "192.0.2.5", true)]
    [InlineData("192.0.2.5", "192.0.2.6", false)]
    [InlineData("2001:db8::/32", "2001:db8:1::5", true)]
    [InlineData("2001:db8::/32", "2001:db9::5", false)]
    [InlineData("2001:db8::/32", "10.0.0.1", false)]
    [InlineData("10.0.0.0/8", "2001:db8::1", false)]
    [InlineData("0.0.0.0/0", "203.0.113.1", true)]
    public void Contains_Address_MatchesRange(string entry, string address, bool expected)
    {
        var allowlist = IpAllowlist.Parse([entry]).Allowlist!;

        Assert.Equal(expected, allowlist.Contains(IPAddress.Parse(address)));
    }

    [Fact]
    public void Contains_EmptyList_AllowsAnyAddress()
    {
        var allowlist = IpAllowlist.Parse([]).Allowlist!;

        Assert.True(allowlist.AllowsAny);
        Assert.True(allowlist.Contains(IPAddress.Parse("203.0.113.9")));
        Assert.True(allowlist.Contains(IPAddress.IPv6Loopback));
    }

    [Fact]
    public void Contains_NullAddressWithRanges_IsFalse()
    {
        Assert.False(IpAllowlist.Parse(["10.0.0.0/8"]).Allowlist!.Contains(null));
    }

    [Fact]
    public void ParseStored_InvalidStoredValue_DeniesEverything()
    {
        var allowlist = IpAllowlist.ParseStored(["not-an-ip"]);

        Assert.False(allowlist.AllowsAny);
        Assert.False(allowlist.Contains(IPAddress.Parse("10.0.0.1")));
    }

    [Fact]
    public void Contains_RandomAddressesAgainstPrefix_AgreesWithBitComparison()
    {
        // Property: an address is inside a.b.c.d/n exactly when its first n bits equal the network's.
        var random = new Random(1234);
        for (var i = 0; i < 2000; i++)
        {
            var network = (uint)random.NextInt64(0, uint.MaxValue);
            var prefix = random.Next(0, 33);
            var candidate = random.Next(2) == 0 ? network ^ (uint)random.Next(0, 256) : (uint)random.NextInt64(0, uint.MaxValue);
            var mask = prefix == 0 ? 0u : uint.MaxValue << (32 - prefix);
            var text = $"{ToAddress(network)}/{prefix}";

            var allowlist = IpAllowlist.Parse([text]).Allowlist!;

            Assert.Equal((candidate & mask) == (network & mask), allowlist.Contains(ToAddress(candidate)));
        }
    }

    [Theory]
    [InlineData("203.0.113.7", true)]
    [InlineData("2001:db8::7", true)]
    [InlineData("1.2.3", false)]
    [InlineData("fe80::1%2", false)]
    [InlineData("", false)]
    public void ParseAddress_Text_ParsesStrictly(string text, bool parses)
    {
        Assert.Equal(parses, IpAllowlist.ParseAddress(text) is not null);
    }

    private static IPAddress ToAddress(uint value) =>
        new([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]);
}
