namespace WorkloadFederation.Federation.Jwt;

/// <summary>
/// Strict base64url (RFC 4648 §5) as JWS requires (RFC 7515 §2): the URL-safe alphabet only, no padding, no
/// whitespace, and canonical encodings only (the unused low bits of the last character must be zero), so that one
/// byte string has exactly one textual form.
/// </summary>
public static class Base64Url
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    private static readonly sbyte[] DecodeMap = BuildDecodeMap();
    private static readonly System.Buffers.SearchValues<char> AlphabetValues = System.Buffers.SearchValues.Create(Alphabet);

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
        if (DecodedLength(encoded.Length) != destination.Length || encoded.IndexOfAnyExcept(AlphabetValues) >= 0)
        {
            return false;
        }

        // Canonical form: the bits of the last character that carry no data must be zero
        // (2 characters carry 12 bits for 1 byte, 3 carry 18 bits for 2 bytes).
        var rest = encoded.Length % 4;
        if ((rest == 2 && (Map(encoded[^1]) & 0x0F) != 0) || (rest == 3 && (Map(encoded[^1]) & 0x03) != 0))
        {
            return false;
        }

        // The input is now known to be unpadded alphabet characters only, so the platform's vectorized decoder
        // (which would also accept padding and whitespace) sees exactly what the strict rules allow.
        return System.Buffers.Text.Base64Url.TryDecodeFromChars(encoded, destination, out var written) && written == destination.Length;
    }

    /// <summary>Encodes without padding.</summary>
    public static string Encode(ReadOnlySpan<byte> bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

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
