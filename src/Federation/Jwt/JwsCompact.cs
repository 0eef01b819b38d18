using System.Text;
using System.Text.Json;

namespace WorkloadFederation.Federation.Jwt;

/// <summary>
/// Reads the JWS compact serialization (RFC 7515 §7.1) strictly. Reading confers no trust: the result must still have
/// its algorithm checked against the provider's allowlist and its signature verified with a provider key.
/// </summary>
public static class JwsCompact
{
    /// <summary>
    /// Reads <paramref name="token"/>. On success <paramref name="jwt"/> is set and <paramref name="error"/> is
    /// <c>default</c>; on failure <paramref name="jwt"/> is null and <paramref name="error"/> says which rule broke.
    /// Never throws for any input string.
    /// </summary>
    public static bool TryParse(string? token, JwtReadLimits limits, out ParsedJwt? jwt, out JwtFormatError error)
    {
        ArgumentNullException.ThrowIfNull(limits);
        jwt = null;
        error = Read(token, limits, ref jwt);
        return !error.IsError;
    }

    private static JwtFormatError Read(string? token, JwtReadLimits limits, ref ParsedJwt? jwt)
    {
        if (string.IsNullOrEmpty(token))
        {
            return new(JwtFormatErrorKind.Empty, "The token is empty.");
        }

        if (token.Length > limits.MaxTokenLength)
        {
            return new(JwtFormatErrorKind.TooLarge, $"The token is longer than the limit of {limits.MaxTokenLength} characters.");
        }

        var span = token.AsSpan();
        var dots = span.Count('.');
        if (dots == 4)
        {
            return new(JwtFormatErrorKind.EncryptedToken, "The token has five segments (an encrypted JWE); only signed JWS tokens are accepted.");
        }

        if (dots != 2)
        {
            return new(JwtFormatErrorKind.WrongSegmentCount, $"The token has {dots + 1} segments; a compact JWS has exactly 3.");
        }

        var first = span.IndexOf('.');
        var second = first + 1 + span[(first + 1)..].IndexOf('.');
        var headerText = span[..first];
        var payloadText = span[(first + 1)..second];
        var signatureText = span[(second + 1)..];

        if (headerText.IsEmpty || payloadText.IsEmpty)
        {
            return new(JwtFormatErrorKind.InvalidBase64Url, headerText.IsEmpty ? "The header segment is empty." : "The payload segment is empty.");
        }

        if (!Base64Url.TryDecode(headerText, out var headerBytes))
        {
            return new(JwtFormatErrorKind.InvalidBase64Url, "The header segment is not strict unpadded base64url.");
        }

        if (!Base64Url.TryDecode(payloadText, out var payloadBytes))
        {
            return new(JwtFormatErrorKind.InvalidBase64Url, "The payload segment is not strict unpadded base64url.");
        }

        if (!Base64Url.TryDecode(signatureText, out var signature))
        {
            return new(JwtFormatErrorKind.InvalidBase64Url, "The signature segment is not strict unpadded base64url.");
        }

        var headerError = StrictJson.TryParseObject(headerBytes, limits.MaxJsonDepth, "header", out var header);
        if (headerError.IsError)
        {
            return headerError;
        }

        var payloadError = StrictJson.TryParseObject(payloadBytes, limits.MaxJsonDepth, "payload", out var payload);
        if (payloadError.IsError)
        {
            return payloadError;
        }

        var root = header!.RootElement;
        if (!root.TryGetProperty(JoseHeaders.Algorithm, out var algElement))
        {
            return new(JwtFormatErrorKind.InvalidHeader, "The header has no alg.");
        }

        if (algElement.ValueKind != JsonValueKind.String || algElement.GetString() is not { Length: > 0 } alg)
        {
            return new(JwtFormatErrorKind.InvalidHeader, "The header's alg is not a non-empty string.");
        }

        var kidError = ReadOptionalString(root, JoseHeaders.KeyId, ParsedJwt.MaxKeyIdLength, out var kid);
        if (kidError.IsError)
        {
            return kidError;
        }

        var typError = ReadOptionalString(root, JoseHeaders.Type, 256, out var typ);
        if (typError.IsError)
        {
            return typError;
        }

        var critError = ReadCritical(root, limits, out var critical);
        if (critError.IsError)
        {
            return critError;
        }

        // The signing input is the ASCII of the first two segments exactly as received (RFC 7515 §5.2 step 8).
        var signingInput = Encoding.ASCII.GetBytes(token, 0, second);
        jwt = new ParsedJwt(header, payload!, payloadBytes, signingInput, signature, alg, kid, typ, critical);
        return default;
    }

    private static JwtFormatError ReadOptionalString(JsonElement header, string name, int maxLength, out string? value)
    {
        value = null;
        if (!header.TryGetProperty(name, out var element))
        {
            return default;
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            return new(JwtFormatErrorKind.InvalidHeader, $"The header's {name} is a {ParsedJwt.Describe(element.ValueKind)}; expected a string.");
        }

        var text = element.GetString()!;
        if (text.Length == 0)
        {
            return new(JwtFormatErrorKind.InvalidHeader, $"The header's {name} is empty.");
        }

        if (text.Length > maxLength)
        {
            return new(JwtFormatErrorKind.InvalidHeader, $"The header's {name} is longer than the limit of {maxLength} characters.");
        }

        value = text;
        return default;
    }

    // RFC 7515 §4.1.11: crit is a non-empty array of names, none registered by JWS/JWA, each present in the header,
    // and each understood by the recipient; otherwise the JWS is invalid.
    private static JwtFormatError ReadCritical(JsonElement header, JwtReadLimits limits, out IReadOnlyList<string> critical)
    {
        critical = [];
        if (!header.TryGetProperty(JoseHeaders.Critical, out var crit))
        {
            return default;
        }

        if (crit.ValueKind != JsonValueKind.Array || crit.GetArrayLength() == 0)
        {
            return new(JwtFormatErrorKind.InvalidHeader, "The header's crit is not a non-empty array of names.");
        }

        var names = new List<string>(crit.GetArrayLength());
        foreach (var item in crit.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                return new(JwtFormatErrorKind.InvalidHeader, "The header's crit holds a value that is not a string.");
            }

            var name = item.GetString()!;
            if (JoseHeaders.Registered.Contains(name))
            {
                return new(JwtFormatErrorKind.InvalidHeader, "The header's crit lists a registered header parameter, which RFC 7515 forbids.");
            }

            if (!limits.UnderstoodCriticalHeaders.Contains(name))
            {
                return new(JwtFormatErrorKind.UnsupportedCriticalHeader, "The header marks an extension critical that this service does not understand.");
            }

            if (!header.TryGetProperty(name, out _))
            {
                return new(JwtFormatErrorKind.InvalidHeader, "The header's crit lists a parameter the header does not contain.");
            }

            names.Add(name);
        }

        critical = names;
        return default;
    }
}
