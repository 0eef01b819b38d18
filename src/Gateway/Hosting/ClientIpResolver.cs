using System.Net;
using Microsoft.AspNetCore.Http;
using WorkloadFederation.Gateway.Options;

namespace WorkloadFederation.Gateway.Hosting;

/// <summary>
/// The caller IP of DESIGN.md step 7: the socket address, unless that address is a configured trusted proxy; then the
/// right-most <c>X-Forwarded-For</c> entry that is not itself a trusted proxy.
/// </summary>
public sealed class ClientIpResolver
{
    public const string ForwardedForHeader = "X-Forwarded-For";
    private const int MaxForwardedEntries = 32;
    private readonly IPNetwork[] _trusted;

    public ClientIpResolver(NetworkOptions options)
    {
        _trusted = options.TrustedProxies
            .Select(p => IPNetwork.TryParse(p, out var n) ? n : new IPNetwork(IPAddress.Parse(p), IPAddress.Parse(p).AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128))
            .ToArray();
    }

    /// <summary>The caller IP, or null when the connection has none (in-memory test server).</summary>
    public IPAddress? Resolve(HttpContext context)
    {
        var socket = Normalize(context.Connection.RemoteIpAddress);
        if (socket is null || !IsTrusted(socket))
        {
            return socket;
        }

        var header = context.Request.Headers[ForwardedForHeader];
        var entries = new List<string>();
        foreach (var value in header)
        {
            if (value is null)
            {
                continue;
            }

            foreach (var part in value.Split(','))
            {
                entries.Add(part.Trim());
                if (entries.Count > MaxForwardedEntries)
                {
                    return socket;
                }
            }
        }

        for (var i = entries.Count - 1; i >= 0; i--)
        {
            if (!IPAddress.TryParse(entries[i], out var hop))
            {
                // A malformed hop: stop believing the chain and use the last address we could trust.
                return socket;
            }

            hop = Normalize(hop)!;
            if (!IsTrusted(hop))
            {
                return hop;
            }

            socket = hop;
        }

        return socket;
    }

    private bool IsTrusted(IPAddress address)
    {
        foreach (var network in _trusted)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    private static IPAddress? Normalize(IPAddress? address) =>
        address is { IsIPv4MappedToIPv6: true } ? address.MapToIPv4() : address;
}
