using System.Net;
using Microsoft.AspNetCore.Http;
using WorkloadFederation.Gateway.Hosting;
using WorkloadFederation.Gateway.Options;

namespace WorkloadFederation.Gateway.Tests.Hosting;

public sealed class ClientIpResolverTests
{
    private static HttpContext Request(string socket, string? forwardedFor)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(socket);
        if (forwardedFor is not null)
        {
            context.Request.Headers[ClientIpResolver.ForwardedForHeader] = forwardedFor;
        }

        return context;
    }

    [Theory]
    [InlineData("untrusted socket ignores header", "203.0.113.9", "198.51.100.1", "203.0.113.9")]
    [InlineData("trusted proxy uses header", "10.0.0.5", "198.51.100.1", "198.51.100.1")]
    [InlineData("right-most untrusted hop wins", "10.0.0.5", "1.1.1.1, 198.51.100.1, 10.0.0.7", "198.51.100.1")]
    [InlineData("malformed hop falls back to proxy", "10.0.0.5", "not-an-ip", "10.0.0.5")]
    [InlineData("trusted proxy without header", "10.0.0.5", null, "10.0.0.5")]
    [InlineData("mapped IPv4 normalised", "::ffff:203.0.113.9", "198.51.100.1", "203.0.113.9")]
    public void Resolve_Table_PicksTheCallerAddress(string name, string socket, string? header, string expected)
    {
        var resolver = new ClientIpResolver(new NetworkOptions { TrustedProxies = ["10.0.0.0/8"] });

        var ip = resolver.Resolve(Request(socket, header));

        Assert.True(IPAddress.Parse(expected).Equals(ip), $"{name}: got {ip}");
    }
}
