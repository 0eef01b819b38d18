using WorkloadFederation.Contracts;
using System.Buffers.Text;
using System.Text.Json;

namespace WorkloadFederation.Federation.IssuedTokens;

/// <summary>Strict splitting of our own compact JWS access tokens (RFC 7515 §7.1). Internal: only our format.</summary>
internal static class CompactToken
{
    /// <summary>The largest access token we accept for validation.</summary>
    public const int MaxLength = 8 * 1024;

    public static bool TryRead(string? token, out CompactParts parts)
    {
        parts = default;
        if (string.IsNullOrEmpty(token) || token.Length > MaxLength)
        {
            return false;
        }

        var first = token.IndexOf('.');
        var second = first < 0 ? -1 : token.IndexOf('.', first + 1);
        if (first <= 0 || second <= first + 1 || second == token.Length - 1 || token.IndexOf('.', second + 1) >= 0)
        {
            return false;
        }

        if (!Base64UrlStrict.TryDecode(token.AsSpan(0, first), out var header)
            || !Base64UrlStrict.TryDecode(token.AsSpan(first + 1, second - first - 1), out var payload)
            || !Base64UrlStrict.TryDecode(token.AsSpan(second + 1), out var signature))
        {
            return false;
        }

        try
        {
            var options = new JsonDocumentOptions { MaxDepth = 8 };
            var headerDoc = JsonDocument.Parse(header, options);
            var payloadDoc = JsonDocument.Parse(payload, options);
            if (headerDoc.RootElement.ValueKind != JsonValueKind.Object || payloadDoc.RootElement.ValueKind != JsonValueKind.Object)
            {
                headerDoc.Dispose();
                payloadDoc.Dispose();
                return false;
            }

            parts = new CompactParts(headerDoc, payloadDoc, signature, token.AsMemory(0, second));
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}

/// <summary>A split token: header and payload JSON (owned; dispose), the signature and the signing input.</summary>
internal readonly record struct CompactParts(JsonDocument Header, JsonDocument Payload, byte[] Signature, ReadOnlyMemory<char> SigningInput) : IDisposable
{
    public void Dispose()
    {
        Header?.Dispose();
        Payload?.Dispose();
    }
}
