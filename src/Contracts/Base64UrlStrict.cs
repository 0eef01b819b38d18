using System.Buffers;
using System.Buffers.Text;

namespace WorkloadFederation.Contracts;

/// <summary>
/// Strict base64url (RFC 4648 §5, RFC 7515 §2): no padding, no characters outside the alphabet, and canonical —
/// re-encoding the bytes must give the same text, so one value has exactly one spelling (no malleable trailing bits).
/// </summary>
public static class Base64UrlStrict
{
    /// <summary>Decodes <paramref name="text"/>; false for empty, padded, non-alphabet or non-canonical text.</summary>
    public static bool TryDecode(ReadOnlySpan<char> text, out byte[] bytes)
    {
        bytes = [];
        if (text.IsEmpty || text.Contains('='))
        {
            return false;
        }

        var buffer = new byte[Base64Url.GetMaxDecodedLength(text.Length)];
        if (Base64Url.DecodeFromChars(text, buffer, out var consumed, out var written) != OperationStatus.Done
            || consumed != text.Length)
        {
            return false;
        }

        var decoded = buffer.AsSpan(0, written);
        if (!text.SequenceEqual(Base64Url.EncodeToString(decoded)))
        {
            return false;
        }

        bytes = decoded.ToArray();
        return true;
    }
}
