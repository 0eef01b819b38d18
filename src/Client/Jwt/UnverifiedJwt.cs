using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace WorkloadFederation.Client.Jwt;

/// <summary>
/// A JWT split and decoded <em>without</em> verifying its signature: for diagnostics, for reading the expiry of a
/// platform token before sending it, and for evaluating conditions locally. Never use it to make a trust decision.
/// </summary>
public sealed class UnverifiedJwt
{
    /// <summary>Largest token accepted for decoding (characters).</summary>
    public const int MaxLength = 16 * 1024;

    private UnverifiedJwt(JsonElement header, JsonElement payload)
    {
        Header = header;
        Payload = payload;
    }

    /// <summary>The decoded JOSE header (a JSON object).</summary>
    public JsonElement Header { get; }

    /// <summary>The decoded claims (a JSON object).</summary>
    public JsonElement Payload { get; }

    /// <summary>The header's <c>alg</c>.</summary>
    public string? Algorithm => GetString(Header, "alg");

    /// <summary>The <c>iss</c> claim.</summary>
    public string? Issuer => GetString(Payload, "iss");

    /// <summary>The <c>sub</c> claim.</summary>
    public string? Subject => GetString(Payload, "sub");

    /// <summary>The <c>aud</c> claim as a list (a single string becomes one element).</summary>
    public IReadOnlyList<string> Audiences
    {
        get
        {
            if (!Payload.TryGetProperty("aud", out var aud))
            {
                return [];
            }

            return aud.ValueKind switch
            {
                JsonValueKind.String => [aud.GetString()!],
                JsonValueKind.Array => aud.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToArray(),
                _ => [],
            };
        }
    }

    /// <summary>The <c>exp</c> claim.</summary>
    public DateTimeOffset? ExpiresAt => GetTime(Payload, "exp");

    /// <summary>The <c>iat</c> claim.</summary>
    public DateTimeOffset? IssuedAt => GetTime(Payload, "iat");

    /// <summary>The <c>nbf</c> claim.</summary>
    public DateTimeOffset? NotBefore => GetTime(Payload, "nbf");

    /// <summary>Reads a string claim.</summary>
    public string? GetClaim(string name) => GetString(Payload, name);

    /// <summary>
    /// Splits and decodes a compact JWS. <paramref name="error"/> says what is wrong without echoing the input.
    /// </summary>
    public static bool TryDecode(string? token, [NotNullWhen(true)] out UnverifiedJwt? jwt, [NotNullWhen(false)] out string? error)
    {
        jwt = null;
        if (string.IsNullOrEmpty(token))
        {
            error = "it is empty";
            return false;
        }

        if (token.Length > MaxLength)
        {
            error = $"it exceeds {MaxLength} characters";
            return false;
        }

        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            error = $"it has {parts.Length} dot-separated parts, a JWT has 3";
            return false;
        }

        if (parts[2].Length == 0)
        {
            error = "it has no signature";
            return false;
        }

        if (!TryDecodeJsonObject(parts[0], out var header))
        {
            error = "its header is not base64url-encoded JSON object";
            return false;
        }

        if (!TryDecodeJsonObject(parts[1], out var payload))
        {
            error = "its payload is not a base64url-encoded JSON object";
            return false;
        }

        if (!IsBase64Url(parts[2]))
        {
            error = "its signature is not base64url";
            return false;
        }

        jwt = new UnverifiedJwt(header, payload);
        error = null;
        return true;
    }

    private static bool TryDecodeJsonObject(string segment, out JsonElement element)
    {
        element = default;
        if (segment.Length == 0 || !IsBase64Url(segment))
        {
            return false;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(Base64Url.GetMaxDecodedLength(segment.Length));
        try
        {
            if (Base64Url.DecodeFromChars(segment, buffer, out _, out var written) != OperationStatus.Done)
            {
                return false;
            }

            using var doc = JsonDocument.Parse(buffer.AsMemory(0, written), new JsonDocumentOptions { MaxDepth = 32 });
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            element = doc.RootElement.Clone();
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static bool IsBase64Url(string text)
    {
        foreach (var c in text)
        {
            if (c is not ((>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_'))
            {
                return false;
            }
        }

        return true;
    }

    private static string? GetString(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static DateTimeOffset? GetTime(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var v) || v.ValueKind != JsonValueKind.Number)
        {
            return null;
        }

        if (v.TryGetInt64(out var seconds) && seconds is >= 0 and <= 253402300799)
        {
            return DateTimeOffset.FromUnixTimeSeconds(seconds);
        }

        if (v.TryGetDouble(out var d) && d is >= 0 and <= 253402300799)
        {
            return DateTimeOffset.FromUnixTimeSeconds((long)d);
        }

        return null;
    }
}
