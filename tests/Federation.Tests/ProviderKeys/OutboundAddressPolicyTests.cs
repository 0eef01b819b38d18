using System.Net;
using WorkloadFederation.Federation.ProviderKeys;
using Xunit;

namespace WorkloadFederation.Federation.Tests.ProviderKeys;

public sealed class OutboundAddressPolicyTests
{
    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("10.1.2.3")]
    [InlineData("100.64.0.1")]
    [InlineData("100.100.100.200")]
    [InlineData("127.0.0.1")]
    [InlineData("127.255.255.254")]
    [InlineData("169.254.169.254")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.1.1")]
    [InlineData("192.0.0.1")]
    [InlineData("192.0.2.1")]
    [InlineData("198.18.0.1")]
    [InlineData("224.0.0.1")]
    [InlineData("255.255.255.255")]
    [InlineData("::")]
    [InlineData("::1")]
    [InlineData("fe80::1")]
    [InlineData("fc00::1")]
    [InlineData("fd00:ec2::254")]
    [InlineData("ff02::1")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("64:ff9b::a9fe:a9fe")]
    [InlineData("2002:7f00:1::")]
    [InlineData("2001:db8::1")]
    [InlineData("::7f00:1")]
    public void NonPublicReason_NonPublicAddress_IsNamed(string address)
    {
        Assert.NotNull(OutboundAddressPolicy.NonPublicReason(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("140.82.112.3")]
    [InlineData("172.32.0.1")]
    [InlineData("100.128.0.1")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("64:ff9b::808:808")]
    public void NonPublicReason_PublicAddress_IsNull(string address)
    {
        Assert.Null(OutboundAddressPolicy.NonPublicReason(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("::1", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData("10.0.0.1", false)]
    public void IsLoopback_Address_IsClassified(string address, bool expected)
    {
        Assert.Equal(expected, OutboundAddressPolicy.IsLoopback(IPAddress.Parse(address)));
    }
}
