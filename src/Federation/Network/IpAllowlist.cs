using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace WorkloadFederation.Federation.Network;

/// <summary>
/// A parsed, normalised IP allowlist of at most <see cref="MaxEntries"/> IPv4/IPv6 CIDR ranges (DESIGN.md vocabulary:
/// credential and trust allowlists). An empty list allows any address. Immutable and thread-safe; built once per
/// configuration change and kept in the snapshot.
/// </summary>
public sealed class IpAllowlist
{
    /// <summary>The most ranges one allowlist may hold (API.md "ip_allowlist: [cidr ≤ 32]").</summary>
    public const int MaxEntries = 32;

    /// <summary>The longest accepted text of one entry.</summary>
    public const int MaxEntryLength = 64;

    private readonly uint[] _v4Networks;
    private readonly uint[] _v4Masks;
    private readonly UInt128[] _v6Networks;
    private readonly UInt128[] _v6Masks;
    private readonly bool _denyAll;

    private IpAllowlist(IReadOnlyList<string> entries, uint[] v4Networks, uint[] v4Masks, UInt128[] v6Networks, UInt128[] v6Masks, bool denyAll = false)
    {
        _denyAll = denyAll;
        Entries = entries;
        _v4Networks = v4Networks;
        _v4Masks = v4Masks;
        _v6Networks = v6Networks;
        _v6Masks = v6Masks;
    }

    /// <summary>The allowlist that allows every address.</summary>
    public static IpAllowlist Any { get; } = new([], [], [], [], []);

    /// <summary>
    /// The allowlist that allows no address: used in place of a stored allowlist that no longer parses, so that a
    /// configuration fault denies rather than opens.
    /// </summary>
    public static IpAllowlist None { get; } = new([], [], [], [], [], denyAll: true);

    /// <summary>The ranges in canonical network form (<c>10.0.0.0/8</c>, <c>2001:db8::/32</c>), duplicates removed.</summary>
    public IReadOnlyList<string> Entries { get; }

    /// <summary>True when the list is empty, i.e. every address is allowed.</summary>
    public bool AllowsAny => !_denyAll && Entries.Count == 0;

    /// <summary>
    /// Parses and normalises <paramref name="entries"/>. Every problem is reported at once, each naming the entry's index.
    /// A bare address is a single-host range (/32 or /128); host bits below the prefix are cleared; an IPv4-mapped IPv6
    /// range (<c>::ffff:0:0/96</c> and narrower) is stored as the IPv4 range it denotes.
    /// </summary>
    public static IpAllowlistParseResult Parse(IReadOnlyList<string>? entries)
    {
        if (entries is null || entries.Count == 0)
        {
            return IpAllowlistParseResult.Parsed(Any);
        }

        var errors = new List<IpAllowlistError>();
        if (entries.Count > MaxEntries)
        {
            errors.Add(new IpAllowlistError(-1, $"the allowlist has {entries.Count} entries; at most {MaxEntries} are allowed"));
            return IpAllowlistParseResult.Failed(errors);
        }

        var canonical = new List<string>(entries.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var v4Networks = new List<uint>();
        var v4Masks = new List<uint>();
        var v6Networks = new List<UInt128>();
        var v6Masks = new List<UInt128>();

        for (var i = 0; i < entries.Count; i++)
        {
            if (!TryParseEntry(entries[i], out var range, out var error))
            {
                errors.Add(new IpAllowlistError(i, error));
                continue;
            }

            if (!seen.Add(range.Text))
            {
                continue;
            }

            canonical.Add(range.Text);
            if (range.IsV4)
            {
                v4Networks.Add((uint)range.Network);
                v4Masks.Add((uint)range.Mask);
            }
            else
            {
                v6Networks.Add(range.Network);
                v6Masks.Add(range.Mask);
            }
        }

        return errors.Count > 0
            ? IpAllowlistParseResult.Failed(errors)
            : IpAllowlistParseResult.Parsed(new IpAllowlist(
                canonical.AsReadOnly(), [.. v4Networks], [.. v4Masks], [.. v6Networks], [.. v6Masks]));
    }

    /// <summary>
    /// Parses entries already validated and normalised at the admin API (e.g. from the store).
    /// A stored value that no longer parses (a configuration fault) gives <see cref="None"/>: deny by default.
    /// </summary>
    public static IpAllowlist ParseStored(IReadOnlyList<string> entries) => Parse(entries).Allowlist ?? None;

    /// <summary>True when <paramref name="address"/> is inside one of the ranges, or the list is empty.</summary>
    public bool Contains(IPAddress? address)
    {
        if (_denyAll)
        {
            return false;
        }

        if (Entries.Count == 0)
        {
            return true;
        }

        if (address is null)
        {
            return false;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        Span<byte> bytes = stackalloc byte[16];
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            if (!address.TryWriteBytes(bytes, out _))
            {
                return false;
            }

            var value = BinaryPrimitives.ReadUInt32BigEndian(bytes);
            for (var i = 0; i < _v4Networks.Length; i++)
            {
                if ((value & _v4Masks[i]) == _v4Networks[i])
                {
                    return true;
                }
            }

            return false;
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6 && address.TryWriteBytes(bytes, out _))
        {
            var value = BinaryPrimitives.ReadUInt128BigEndian(bytes);
            for (var i = 0; i < _v6Networks.Length; i++)
            {
                if ((value & _v6Masks[i]) == _v6Networks[i])
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>Parses a caller address strictly (dotted-quad IPv4 or IPv6 without zone); null when it does not parse.</summary>
    public static IPAddress? ParseAddress(string? text)
    {
        if (string.IsNullOrEmpty(text) || text.Length > MaxEntryLength)
        {
            return null;
        }

        return TryParseAddress(text, out var address, out _) ? address : null;
    }

    private readonly record struct Range(bool IsV4, UInt128 Network, UInt128 Mask, string Text);

    private static bool TryParseEntry(string? entry, out Range range, out string error)
    {
        range = default;
        if (string.IsNullOrEmpty(entry))
        {
            error = "the entry is empty";
            return false;
        }

        if (entry.Length > MaxEntryLength)
        {
            error = $"the entry is longer than {MaxEntryLength} characters";
            return false;
        }

        var slash = entry.IndexOf('/');
        var addressText = slash < 0 ? entry : entry[..slash];
        if (!TryParseAddress(addressText, out var address, out error))
        {
            error = $"'{entry}': {error}";
            return false;
        }

        var isV4 = address.AddressFamily == AddressFamily.InterNetwork;
        var maxPrefix = isV4 ? 32 : 128;
        var prefix = maxPrefix;
        if (slash >= 0)
        {
            var prefixText = entry[(slash + 1)..];
            if (prefixText.Length is 0 or > 3
                || !prefixText.All(char.IsAsciiDigit)
                || (prefixText.Length > 1 && prefixText[0] == '0')
                || !int.TryParse(prefixText, NumberStyles.None, CultureInfo.InvariantCulture, out prefix))
            {
                error = $"'{entry}': the prefix length is not a decimal number";
                return false;
            }

            if (prefix > maxPrefix)
            {
                error = $"'{entry}': prefix length {prefix} exceeds {maxPrefix} for {(isV4 ? "IPv4" : "IPv6")}";
                return false;
            }
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        if (!isV4 && address.IsIPv4MappedToIPv6 && prefix >= 96)
        {
            // ::ffff:a.b.c.d/n is the IPv4 range a.b.c.d/(n-96): store it once, in IPv4 form.
            isV4 = true;
            prefix -= 96;
            bytes[12..16].CopyTo(bytes);
        }

        if (isV4)
        {
            var value = BinaryPrimitives.ReadUInt32BigEndian(bytes);
            var mask = prefix == 0 ? 0u : uint.MaxValue << (32 - prefix);
            var network = value & mask;
            Span<byte> networkBytes = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(networkBytes, network);
            range = new Range(true, network, mask, $"{new IPAddress(networkBytes)}/{prefix}");
        }
        else
        {
            var value = BinaryPrimitives.ReadUInt128BigEndian(bytes);
            var mask = prefix == 0 ? UInt128.Zero : UInt128.MaxValue << (128 - prefix);
            var network = value & mask;
            Span<byte> networkBytes = stackalloc byte[16];
            BinaryPrimitives.WriteUInt128BigEndian(networkBytes, network);
            range = new Range(false, network, mask, $"{new IPAddress(networkBytes)}/{prefix}");
        }

        error = string.Empty;
        return true;
    }

    private static bool TryParseAddress(string text, out IPAddress address, out string error)
    {
        address = IPAddress.None;
        if (text.Contains(':'))
        {
            // IPv6 (RFC 4291 §2.2); zone ids are meaningless in an allowlist.
            if (text.Contains('%') || text.Contains('[') || !IPAddress.TryParse(text, out var parsed)
                || parsed.AddressFamily != AddressFamily.InterNetworkV6)
            {
                error = "not a valid IPv6 address";
                return false;
            }

            address = parsed;
            error = string.Empty;
            return true;
        }

        // IPv4: exactly four decimal octets, no leading zeros (IPAddress.TryParse accepts "10", "0x0a", "010.1.1.1").
        var parts = text.Split('.');
        if (parts.Length != 4)
        {
            error = "not a valid IPv4 address (four dotted decimal octets expected)";
            return false;
        }

        Span<byte> octets = stackalloc byte[4];
        for (var i = 0; i < 4; i++)
        {
            var part = parts[i];
            if (part.Length is 0 or > 3 || !part.All(char.IsAsciiDigit) || (part.Length > 1 && part[0] == '0')
                || !int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var octet) || octet > 255)
            {
                error = "not a valid IPv4 address (each octet 0-255, no leading zeros)";
                return false;
            }

            octets[i] = (byte)octet;
        }

        address = new IPAddress(octets);
        error = string.Empty;
        return true;
    }
}

/// <summary>One problem of an allowlist entry. <see cref="Index"/> is the entry's position, or -1 for the list itself.</summary>
public sealed record IpAllowlistError(int Index, string Message)
{
    /// <inheritdoc />
    public override string ToString() => Index < 0 ? Message : $"ip_allowlist[{Index}]: {Message}";
}

/// <summary>The outcome of <see cref="IpAllowlist.Parse"/>: starts failed; success carries the allowlist.</summary>
public sealed class IpAllowlistParseResult
{
    private IpAllowlistParseResult(IpAllowlist? allowlist, IReadOnlyList<IpAllowlistError> errors)
    {
        Allowlist = allowlist;
        Errors = errors;
    }

    /// <summary>True when every entry parsed.</summary>
    public bool Success => Allowlist is not null;

    /// <summary>The parsed allowlist, when <see cref="Success"/>.</summary>
    public IpAllowlist? Allowlist { get; }

    /// <summary>Every problem found.</summary>
    public IReadOnlyList<IpAllowlistError> Errors { get; }

    internal static IpAllowlistParseResult Parsed(IpAllowlist allowlist) => new(allowlist, []);

    internal static IpAllowlistParseResult Failed(IReadOnlyList<IpAllowlistError> errors) => new(null, errors);
}
