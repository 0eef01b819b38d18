using System.Net;
using System.Net.Sockets;

namespace WorkloadFederation.Federation.ProviderKeys;

/// <summary>
/// Classifies IP addresses for outbound fetches. Only globally routable unicast addresses are public; everything an
/// attacker could use to reach the node's own network or a cloud metadata service is not (SSRF defence).
/// </summary>
public static class OutboundAddressPolicy
{
    private static readonly (uint Network, int Prefix, string Name)[] V4Blocked =
    [
        (0x00000000, 8, "\"this network\" (0.0.0.0/8)"),
        (0x0A000000, 8, "private (10.0.0.0/8)"),
        (0x64400000, 10, "carrier-grade NAT (100.64.0.0/10)"),
        (0x7F000000, 8, "loopback (127.0.0.0/8)"),
        (0xA9FE0000, 16, "link-local or cloud metadata (169.254.0.0/16)"),
        (0xAC100000, 12, "private (172.16.0.0/12)"),
        (0xC0000000, 24, "IETF protocol assignments (192.0.0.0/24)"),
        (0xC0000200, 24, "documentation (192.0.2.0/24)"),
        (0xC0586300, 24, "6to4 relay anycast (192.88.99.0/24)"),
        (0xC0A80000, 16, "private (192.168.0.0/16)"),
        (0xC6120000, 15, "benchmarking (198.18.0.0/15)"),
        (0xC6336400, 24, "documentation (198.51.100.0/24)"),
        (0xCB007100, 24, "documentation (203.0.113.0/24)"),
        (0xE0000000, 4, "multicast (224.0.0.0/4)"),
        (0xF0000000, 4, "reserved or broadcast (240.0.0.0/4)"),
    ];

    /// <summary>
    /// Null when <paramref name="address"/> is a public unicast address; otherwise the name of the range that makes
    /// it non-public (for the error message).
    /// </summary>
    public static string? NonPublicReason(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return V4Reason(address);
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return "not an IP address";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return V4Reason(address.MapToIPv4()) is { } mapped ? "IPv4-mapped " + mapped : null;
        }

        Span<byte> b = stackalloc byte[16];
        address.TryWriteBytes(b, out _);
        if (IPAddress.IPv6Any.Equals(address) || IPAddress.IPv6None.Equals(address))
        {
            return "unspecified (::)";
        }

        if (IPAddress.IPv6Loopback.Equals(address))
        {
            return "loopback (::1)";
        }

        if (b[0] == 0xFF)
        {
            return "multicast (ff00::/8)";
        }

        if (b[0] == 0xFE && (b[1] & 0xC0) == 0x80)
        {
            return "link-local (fe80::/10)";
        }

        if (b[0] == 0xFE && (b[1] & 0xC0) == 0xC0)
        {
            return "site-local (fec0::/10)";
        }

        if ((b[0] & 0xFE) == 0xFC)
        {
            // Includes the AWS metadata service address fd00:ec2::254.
            return "unique local or cloud metadata (fc00::/7)";
        }

        if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8)
        {
            return "documentation (2001:db8::/32)";
        }

        if (b[..12].SequenceEqual(new byte[] { 0, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0 }))
        {
            // NAT64: the embedded IPv4 address is what is really reached.
            return V4Reason(new IPAddress(b[12..])) is { } nat64 ? "NAT64 of " + nat64 : null;
        }

        if (b[0] == 0x20 && b[1] == 0x02)
        {
            // 6to4: the embedded IPv4 address is what is really reached.
            return V4Reason(new IPAddress(b[2..6])) is { } sixToFour ? "6to4 of " + sixToFour : null;
        }

        if (b[..10].IndexOfAnyExcept((byte)0) < 0 && b[10] == 0 && b[11] == 0)
        {
            return "IPv4-compatible (::/96)";
        }

        if (b[0] == 0x01 && b[1] == 0x00 && b[2..8].IndexOfAnyExcept((byte)0) < 0)
        {
            return "discard-only (100::/64)";
        }

        return null;
    }

    /// <summary>True for loopback addresses (127.0.0.0/8, ::1, and their IPv4-mapped forms).</summary>
    public static bool IsLoopback(IPAddress address) =>
        IPAddress.IsLoopback(address) || (address.IsIPv4MappedToIPv6 && IPAddress.IsLoopback(address.MapToIPv4()));

    private static string? V4Reason(IPAddress address)
    {
        Span<byte> b = stackalloc byte[4];
        address.TryWriteBytes(b, out _);
        var value = ((uint)b[0] << 24) | ((uint)b[1] << 16) | ((uint)b[2] << 8) | b[3];
        foreach (var (network, prefix, name) in V4Blocked)
        {
            var mask = prefix == 0 ? 0u : uint.MaxValue << (32 - prefix);
            if ((value & mask) == network)
            {
                return name;
            }
        }

        return null;
    }
}
