using System.Security.Cryptography;

namespace WorkloadFederation.Gateway.Admin.Common;

/// <summary>Opaque object ids: a short kind prefix and 128 random bits in lower-case base32 (e.g. <c>sp_…</c>).</summary>
public static class AdminIds
{
    public const string Provider = "prv";
    public const string ServicePrincipal = "sp";
    public const string Credential = "cred";
    public const string Trust = "trust";
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    /// <summary>A new id with <paramref name="prefix"/>.</summary>
    public static string New(string prefix)
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        Span<char> chars = stackalloc char[26];
        var buffer = 0;
        var bits = 0;
        var n = 0;
        foreach (var b in bytes)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                chars[n++] = Alphabet[(buffer >> (bits - 5)) & 31];
                bits -= 5;
            }
        }

        if (bits > 0)
        {
            chars[n++] = Alphabet[(buffer << (5 - bits)) & 31];
        }

        return prefix + "_" + new string(chars[..n]);
    }
}
