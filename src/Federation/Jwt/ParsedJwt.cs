using System.Text.Json;

namespace WorkloadFederation.Federation.Jwt;

/// <summary>
/// A compact JWS that was read strictly but NOT verified: nothing in it is trusted yet. The header fields select a key;
/// the claims are read through typed accessors that refuse wrong types instead of coercing them.
/// </summary>
public sealed class ParsedJwt
{
    /// <summary>The largest NumericDate accepted: 9999-12-31T23:59:59Z.</summary>
    public const long MaxNumericDate = 253_402_300_799;

    /// <summary>The largest <c>kid</c> accepted, in characters.</summary>
    public const int MaxKeyIdLength = 256;

    private readonly JsonDocument _header;
    private readonly JsonDocument _payload;

    internal ParsedJwt(
        JsonDocument header,
        JsonDocument payload,
        byte[] payloadBytes,
        byte[] signingInput,
        byte[] signature,
        string algorithm,
        string? keyId,
        string? type,
        IReadOnlyList<string> critical)
    {
        _header = header;
        _payload = payload;
        PayloadBytes = payloadBytes;
        SigningInput = signingInput;
        Signature = signature;
        Algorithm = algorithm;
        KeyId = keyId;
        Type = type;
        Critical = critical;
    }

    /// <summary>The <c>alg</c> header, as sent (not yet checked against any allowlist).</summary>
    public string Algorithm { get; }

    /// <summary>The <c>kid</c> header, or null when absent.</summary>
    public string? KeyId { get; }

    /// <summary>The <c>typ</c> header, or null when absent.</summary>
    public string? Type { get; }

    /// <summary>The <c>crit</c> header names (all understood by the reader's limits), or empty.</summary>
    public IReadOnlyList<string> Critical { get; }

    /// <summary>The root object of the header.</summary>
    public JsonElement Header => _header.RootElement;

    /// <summary>The root object of the payload (the claims).</summary>
    public JsonElement Payload => _payload.RootElement;

    /// <summary>The decoded payload bytes (UTF-8 JSON).</summary>
    public ReadOnlyMemory<byte> PayloadBytes { get; }

    /// <summary>The ASCII bytes of <c>base64url(header) '.' base64url(payload)</c>: what the signature covers.</summary>
    public ReadOnlyMemory<byte> SigningInput { get; }

    /// <summary>The decoded signature bytes (possibly empty).</summary>
    public ReadOnlyMemory<byte> Signature { get; }

    /// <summary>The <c>iss</c> claim: a string.</summary>
    public ClaimRead<string> ReadIssuer() => ReadString(RegisteredClaims.Issuer);

    /// <summary>The <c>sub</c> claim: a string.</summary>
    public ClaimRead<string> ReadSubject() => ReadString(RegisteredClaims.Subject);

    /// <summary>The <c>jti</c> claim: a string.</summary>
    public ClaimRead<string> ReadJwtId() => ReadString(RegisteredClaims.JwtId);

    /// <summary>The <c>exp</c> claim: an integer NumericDate.</summary>
    public ClaimRead<DateTimeOffset> ReadExpires() => ReadNumericDate(RegisteredClaims.Expires);

    /// <summary>The <c>nbf</c> claim: an integer NumericDate.</summary>
    public ClaimRead<DateTimeOffset> ReadNotBefore() => ReadNumericDate(RegisteredClaims.NotBefore);

    /// <summary>The <c>iat</c> claim: an integer NumericDate.</summary>
    public ClaimRead<DateTimeOffset> ReadIssuedAt() => ReadNumericDate(RegisteredClaims.IssuedAt);

    /// <summary>
    /// The <c>aud</c> claim (RFC 7519 §4.1.3): one string, or a non-empty array of strings. Anything else, including
    /// an empty array or an array holding a non-string, is invalid.
    /// </summary>
    public ClaimRead<IReadOnlyList<string>> ReadAudience()
    {
        if (!Payload.TryGetProperty(RegisteredClaims.Audience, out var aud))
        {
            return ClaimRead<IReadOnlyList<string>>.Missing();
        }

        switch (aud.ValueKind)
        {
            case JsonValueKind.String:
                return ClaimRead<IReadOnlyList<string>>.Present([aud.GetString()!]);
            case JsonValueKind.Array:
                var count = aud.GetArrayLength();
                if (count == 0)
                {
                    return ClaimRead<IReadOnlyList<string>>.Invalid("aud is an empty array; expected a string or a non-empty array of strings.");
                }

                var values = new string[count];
                var i = 0;
                foreach (var item in aud.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.String)
                    {
                        return ClaimRead<IReadOnlyList<string>>.Invalid($"aud holds a {Describe(item.ValueKind)}; expected only strings.");
                    }

                    values[i++] = item.GetString()!;
                }

                return ClaimRead<IReadOnlyList<string>>.Present(values);
            default:
                return ClaimRead<IReadOnlyList<string>>.Invalid($"aud is a {Describe(aud.ValueKind)}; expected a string or an array of strings.");
        }
    }

    /// <summary>A string claim by name; any other JSON type is invalid.</summary>
    public ClaimRead<string> ReadString(string name)
    {
        if (!Payload.TryGetProperty(name, out var value))
        {
            return ClaimRead<string>.Missing();
        }

        return value.ValueKind == JsonValueKind.String
            ? ClaimRead<string>.Present(value.GetString()!)
            : ClaimRead<string>.Invalid($"{name} is a {Describe(value.ValueKind)}; expected a string.");
    }

    /// <summary>
    /// A NumericDate claim by name (RFC 7519 §2), read strictly: a JSON number written as an integer literal between 0
    /// and <see cref="MaxNumericDate"/>. Strings, fractions, exponent notation, negative and absurdly large values are
    /// invalid (every platform this service federates with writes plain integers).
    /// </summary>
    public ClaimRead<DateTimeOffset> ReadNumericDate(string name)
    {
        if (!Payload.TryGetProperty(name, out var value))
        {
            return ClaimRead<DateTimeOffset>.Missing();
        }

        if (value.ValueKind != JsonValueKind.Number)
        {
            return ClaimRead<DateTimeOffset>.Invalid($"{name} is a {Describe(value.ValueKind)}; expected a JSON number of seconds since the epoch.");
        }

        if (!value.TryGetInt64(out var seconds))
        {
            return ClaimRead<DateTimeOffset>.Invalid($"{name} is not an integer number of seconds within range.");
        }

        if (seconds < 0)
        {
            return ClaimRead<DateTimeOffset>.Invalid($"{name} is negative.");
        }

        if (seconds > MaxNumericDate)
        {
            return ClaimRead<DateTimeOffset>.Invalid($"{name} is after the year 9999.");
        }

        return ClaimRead<DateTimeOffset>.Present(DateTimeOffset.FromUnixTimeSeconds(seconds));
    }

    internal static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "JSON object",
        JsonValueKind.Array => "JSON array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Null => "null",
        _ => "value of unknown type",
    };
}
