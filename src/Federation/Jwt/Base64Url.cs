namespace WorkloadFederation.Federation.Jwt;

/// <summary>
/// Strict base64url (RFC 4648 §5) as JWS requires (RFC 7515 §2): the URL-safe alphabet only, no padding, no
/// whitespace, and canonical encodings only (the unused low bits of the last character must be zero), so that one
/// byte string has exactly one textual form.
/// </summary>
public static class Base64Url
{
    private static readonly sbyte[] DecodeMap = BuildDecodeMap();
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    /// <summary>The number of bytes <paramref name="encodedLength"/> characters decode to, or -1 when no canonical encoding has that length.</summary>
    public static int DecodedLength(int encodedLength)
    {
        if (encodedLength < 0 || encodedLength % 4 == 1)
        {
            return -1;
        }

        return (encodedLength / 4 * 3) + ((encodedLength % 4) switch { 2 => 1, 3 => 2, _ => 0 });
    }

    /// <summary>Decodes strictly; false on any character outside the alphabet, padding, or non-canonical trailing bits.</summary>
    public static bool TryDecode(ReadOnlySpan<char> encoded, out byte[] bytes)
    {
        var length = DecodedLength(encoded.Length);
        if (length < 0)
        {
            bytes = [];
            return false;
        }

        var buffer = new byte[length];
        if (!TryDecode(encoded, buffer))
        {
            bytes = [];
            return false;
        }

        bytes = buffer;
        return true;
    }

    /// <summary>Decodes strictly into <paramref name="destination"/>, whose length must be <see cref="DecodedLength"/>.</summary>
    public static bool TryDecode(ReadOnlySpan<char> encoded, Span<byte> destination)
    {
        if (DecodedLength(encoded.Length) != destination.Length)
        {
            return false;
        }

        var output = 0;
        var i = 0;
        for (; i + 4 <= encoded.Length; i += 4)
        {
            int a = Map(encoded[i]), b = Map(encoded[i + 1]), c = Map(encoded[i + 2]), d = Map(encoded[i + 3]);
            if ((a | b | c | d) < 0)
            {
                return false;
            }

            var v = (a << 18) | (b << 12) | (c << 6) | d;
            destination[output++] = (byte)(v >> 16);
            destination[output++] = (byte)(v >> 8);
            destination[output++] = (byte)v;
        }

        var rest = encoded.Length - i;
        if (rest == 2)
        {
            int a = Map(encoded[i]), b = Map(encoded[i + 1]);
            // Two characters carry 12 bits for one byte: the low 4 bits must be zero.
            if ((a | b) < 0 || (b & 0x0F) != 0)
            {
                return false;
            }

            destination[output] = (byte)((a << 2) | (b >> 4));
        }
        else if (rest == 3)
        {
            int a = Map(encoded[i]), b = Map(encoded[i + 1]), c = Map(encoded[i + 2]);
            // Three characters carry 18 bits for two bytes: the low 2 bits must be zero.
            if ((a | b | c) < 0 || (c & 0x03) != 0)
            {
                return false;
            }

            var v = (a << 12) | (b << 6) | c;
            destination[output++] = (byte)(v >> 10);
            destination[output] = (byte)(v >> 2);
        }

        return true;
    }

    /// <summary>Encodes without padding.</summary>
    public static string Encode(ReadOnlySpan<byte> bytes)
    {
        var length = (bytes.Length / 3 * 4) + ((bytes.Length % 3) switch { 1 => 2, 2 => 3, _ => 0 });
        return string.Create(length, bytes.ToArray(), static (span, data) =>
        {
            var o = 0;
            var i = 0;
            for (; i + 3 <= data.Length; i += 3)
            {
                var v = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
                span[o++] = Alphabet[(v >> 18) & 63];
                span[o++] = Alphabet[(v >> 12) & 63];
                span[o++] = Alphabet[(v >> 6) & 63];
                span[o++] = Alphabet[v & 63];
            }

            if (data.Length - i == 1)
            {
                var v = data[i] << 16;
                span[o++] = Alphabet[(v >> 18) & 63];
                span[o] = Alphabet[(v >> 12) & 63];
            }
            else if (data.Length - i == 2)
            {
                var v = (data[i] << 16) | (data[i + 1] << 8);
                span[o++] = Alphabet[(v >> 18) & 63];
                span[o++] = Alphabet[(v >> 12) & 63];
                span[o] = Alphabet[(v >> 6) & 63];
            }
        });
    }

    private static int Map(char c) => c < 128 ? DecodeMap[c] : -1;

    private static sbyte[] BuildDecodeMap()
    {
        var map = new sbyte[128];
        Array.Fill(map, (sbyte)-1);
        for (var i = 0; i < Alphabet.Length; i++)
        {
            map[Alphabet[i]] = (sbyte)i;
        }

        return map;
    }
}
