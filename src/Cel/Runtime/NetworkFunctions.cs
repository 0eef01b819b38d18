using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace WorkloadFederation.Cel.Runtime;

/// <summary>An IP address of the network extension (<c>net.IP</c>).</summary>
internal sealed class IpValue : CelValue
{
    public IpValue(byte[] bytes) => Bytes = bytes;

    /// <summary>4 bytes for IPv4, 16 for IPv6.</summary>
    public byte[] Bytes { get; }

    public override CelValueKind Kind => CelValueKind.Opaque;

    public bool IsV4 => Bytes.Length == 4;

    /// <summary>The address with an IPv4-mapped IPv6 address turned into IPv4, for comparisons.</summary>
    public ReadOnlySpan<byte> Unmapped =>
        Bytes.Length == 16 && Bytes.AsSpan(0, 10).IndexOfAnyExcept((byte)0) < 0 && Bytes[10] == 0xFF && Bytes[11] == 0xFF
            ? Bytes.AsSpan(12, 4)
            : Bytes;

    public override string ToString() => new IPAddress(Bytes).ToString();
}

/// <summary>An address prefix of the network extension (<c>net.CIDR</c>).</summary>
internal sealed class CidrValue : CelValue
{
    public CidrValue(IpValue address, int bits)
    {
        Address = address;
        Bits = bits;
    }

    public IpValue Address { get; }

    public int Bits { get; }

    public override CelValueKind Kind => CelValueKind.Opaque;

    public override string ToString() => Address + "/" + Bits.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// The network extension library (cel-go <c>ext.Network</c>): <c>ip()</c>, <c>cidr()</c>, <c>isIP()</c>,
/// <c>ip.isCanonical()</c> and the address and prefix methods. Parsing is strict: dotted IPv4 only (no leading
/// zeros, octal or short forms), no zones, no IPv4-mapped IPv6 written in dotted form.
/// </summary>
internal static class NetworkFunctions
{
    public static readonly TypeValue IpType = TypeValue.Named("net.IP");
    public static readonly TypeValue CidrType = TypeValue.Named("net.CIDR");

    public static CelValue Ip(CelValue v)
    {
        if (v is not StringValue s) return Errors.NoSuchOverload("ip", v);
        return ParseIp(s.Value, out var ip, out var error) ? ip! : Errors.InvalidArgument(error!);
    }

    public static CelValue IsIp(CelValue v) =>
        v is StringValue s ? BoolValue.Of(ParseIp(s.Value, out _, out _)) : Errors.NoSuchOverload("isIP", v);

    public static CelValue IsCanonical(CelValue v)
    {
        if (v is not StringValue s) return Errors.NoSuchOverload("ip.isCanonical", v);
        return ParseIp(s.Value, out var ip, out var error) ? BoolValue.Of(ip!.ToString() == s.Value) : Errors.InvalidArgument(error!);
    }

    public static CelValue Cidr(CelValue v)
    {
        if (v is not StringValue s) return Errors.NoSuchOverload("cidr", v);
        return ParseCidr(s.Value, out var cidr, out var error) ? cidr! : Errors.InvalidArgument(error!);
    }

    public static bool ParseIp(string text, out IpValue? ip, out string? error)
    {
        ip = null;
        error = null;
        if (text.Contains('%'))
        {
            error = "IP Address with zone value is not allowed";
            return false;
        }

        if (!text.Contains(':'))
        {
            if (TryParseV4(text, out var v4))
            {
                ip = new IpValue(v4);
                return true;
            }

            error = $"IP Address '{Short(text)}' parse error during conversion from string";
            return false;
        }

        if (text.Length > 64 || !IPAddress.TryParse(text, out var address) || address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            error = $"IP Address '{Short(text)}' parse error during conversion from string";
            return false;
        }

        if (text.Contains('.') && address.IsIPv4MappedToIPv6)
        {
            error = "IPv4-mapped IPv6 address is not allowed";
            return false;
        }

        ip = new IpValue(address.GetAddressBytes());
        return true;
    }

    private static bool ParseCidr(string text, out CidrValue? cidr, out string? error)
    {
        cidr = null;
        error = null;
        if (text.Contains('%'))
        {
            error = "CIDR with zone value is not allowed";
            return false;
        }

        var slash = text.IndexOf('/');
        var parseError = $"network address '{Short(text)}' parse error during conversion from string";
        if (slash < 0 || !ParseIp(text[..slash], out var ip, out error))
        {
            error ??= parseError;
            return false;
        }

        var bitsText = text.AsSpan(slash + 1);
        if (bitsText.Length is 0 or > 3 || bitsText.ContainsAnyExcept("0123456789")
            || (bitsText.Length > 1 && bitsText[0] == '0')
            || !int.TryParse(bitsText, NumberStyles.None, CultureInfo.InvariantCulture, out var bits) || bits > ip!.Bytes.Length * 8)
        {
            error = parseError;
            return false;
        }

        cidr = new CidrValue(ip, bits);
        return true;
    }

    private static bool TryParseV4(string text, out byte[] bytes)
    {
        bytes = new byte[4];
        var parts = text.Split('.');
        if (parts.Length != 4) return false;
        for (var i = 0; i < 4; i++)
        {
            var p = parts[i];
            if (p.Length is 0 or > 3 || p.AsSpan().ContainsAnyExcept("0123456789") || (p.Length > 1 && p[0] == '0')) return false;
            var n = int.Parse(p, CultureInfo.InvariantCulture);
            if (n > 255) return false;
            bytes[i] = (byte)n;
        }

        return true;
    }

    private static string Short(string s) => s.Length > 64 ? s[..64] + "…" : s;

    public static bool Equal(IpValue a, IpValue b) => a.Unmapped.SequenceEqual(b.Unmapped);

    public static CelValue Family(CelValue v) => v is IpValue ip ? IntValue.Of(ip.IsV4 ? 4 : 6) : Errors.NoSuchOverload("family", v);

    public static CelValue IsUnspecified(CelValue v) =>
        v is IpValue ip ? BoolValue.Of(ip.Bytes.AsSpan().IndexOfAnyExcept((byte)0) < 0) : Errors.NoSuchOverload("isUnspecified", v);

    public static CelValue IsLoopback(CelValue v) => v is IpValue ip
        ? BoolValue.Of(ip.IsV4 ? ip.Bytes[0] == 127 : ip.Unmapped.Length == 4 ? ip.Unmapped[0] == 127 : IPAddress.IPv6Loopback.GetAddressBytes().AsSpan().SequenceEqual(ip.Bytes))
        : Errors.NoSuchOverload("isLoopback", v);

    public static CelValue IsLinkLocalMulticast(CelValue v) => v is IpValue ip
        ? BoolValue.Of(ip.Unmapped.Length == 4
            ? ip.Unmapped[0] == 224 && ip.Unmapped[1] == 0 && ip.Unmapped[2] == 0
            : ip.Bytes[0] == 0xFF && (ip.Bytes[1] & 0x0F) == 0x02)
        : Errors.NoSuchOverload("isLinkLocalMulticast", v);

    public static CelValue IsLinkLocalUnicast(CelValue v) => v is IpValue ip
        ? BoolValue.Of(ip.Unmapped.Length == 4
            ? ip.Unmapped[0] == 169 && ip.Unmapped[1] == 254
            : ip.Bytes[0] == 0xFE && (ip.Bytes[1] & 0xC0) == 0x80)
        : Errors.NoSuchOverload("isLinkLocalUnicast", v);

    public static CelValue IsGlobalUnicast(CelValue v)
    {
        if (v is not IpValue ip) return Errors.NoSuchOverload("isGlobalUnicast", v);
        var u = ip.Unmapped;
        if (u.Length == 4)
        {
            var broadcast = u[0] == 255 && u[1] == 255 && u[2] == 255 && u[3] == 255;
            return BoolValue.Of(!broadcast && u.IndexOfAnyExcept((byte)0) >= 0 && u[0] != 127 && u[0] < 224
                && !(u[0] == 169 && u[1] == 254));
        }

        return BoolValue.Of(IsUnspecified(ip) == BoolValue.False && IsLoopback(ip) == BoolValue.False && ip.Bytes[0] != 0xFF
            && IsLinkLocalUnicast(ip) == BoolValue.False);
    }

    public static CelValue CidrIp(CelValue v) => v is CidrValue c ? c.Address : Errors.NoSuchOverload("ip", v);

    public static CelValue PrefixLength(CelValue v) => v is CidrValue c ? IntValue.Of(c.Bits) : Errors.NoSuchOverload("prefixLength", v);

    public static CelValue Masked(CelValue v) => v is CidrValue c ? new CidrValue(new IpValue(Mask(c.Address.Bytes, c.Bits)), c.Bits) : Errors.NoSuchOverload("masked", v);

    public static CelValue ContainsIp(CelValue c, CelValue target)
    {
        if (c is not CidrValue cidr) return Errors.NoSuchOverload("containsIP", c, target);
        if (target is StringValue s)
        {
            if (!ParseIp(s.Value, out var parsed, out var error)) return Errors.InvalidArgument(error!);
            target = parsed!;
        }

        if (target is not IpValue ip) return Errors.NoSuchOverload("containsIP", c, target);
        return BoolValue.Of(Contains(cidr, ip.Bytes));
    }

    public static CelValue ContainsCidr(CelValue c, CelValue target)
    {
        if (c is not CidrValue cidr) return Errors.NoSuchOverload("containsCIDR", c, target);
        if (target is StringValue s)
        {
            if (!ParseCidr(s.Value, out var parsed, out var error)) return Errors.InvalidArgument(error!);
            target = parsed!;
        }

        if (target is not CidrValue other) return Errors.NoSuchOverload("containsCIDR", c, target);
        return BoolValue.Of(other.Bits >= cidr.Bits && Contains(cidr, other.Address.Bytes));
    }

    private static bool Contains(CidrValue cidr, byte[] address) =>
        address.Length == cidr.Address.Bytes.Length
        && Mask(address, cidr.Bits).AsSpan().SequenceEqual(Mask(cidr.Address.Bytes, cidr.Bits));

    private static byte[] Mask(byte[] address, int bits)
    {
        var masked = (byte[])address.Clone();
        for (var i = 0; i < masked.Length; i++)
        {
            var keep = Math.Clamp(bits - i * 8, 0, 8);
            masked[i] &= (byte)(0xFF << (8 - keep));
        }

        return masked;
    }
}
