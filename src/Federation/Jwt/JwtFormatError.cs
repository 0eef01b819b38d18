namespace WorkloadFederation.Federation.Jwt;

/// <summary>Why a compact JWS could not be read. Every kind maps to the <c>invalid_jwt_format</c> denial reason.</summary>
public enum JwtFormatErrorKind
{
    /// <summary>No error.</summary>
    None = 0,

    /// <summary>The token is null or empty.</summary>
    Empty,

    /// <summary>The token exceeds <see cref="JwtReadLimits.MaxTokenLength"/>.</summary>
    TooLarge,

    /// <summary>The token has five segments: an encrypted JWT (JWE), which is not accepted.</summary>
    EncryptedToken,

    /// <summary>The token does not have exactly three dot-separated segments.</summary>
    WrongSegmentCount,

    /// <summary>A segment is not strict, canonical, unpadded base64url, or a required segment is empty.</summary>
    InvalidBase64Url,

    /// <summary>The header or payload is not UTF-8 JSON, or not a JSON object.</summary>
    InvalidJson,

    /// <summary>The header or payload has the same member name twice.</summary>
    DuplicateMember,

    /// <summary>The header or payload nests deeper than <see cref="JwtReadLimits.MaxJsonDepth"/>.</summary>
    TooDeep,

    /// <summary>A header parameter is missing or of the wrong type (<c>alg</c>, <c>kid</c>, <c>typ</c>, <c>crit</c>).</summary>
    InvalidHeader,

    /// <summary>The header marks an extension critical that is not understood (RFC 7515 §4.1.11).</summary>
    UnsupportedCriticalHeader,
}

/// <summary>
/// A reading failure: its kind and a human detail. The detail names the rule and the limit, never token content.
/// </summary>
public readonly record struct JwtFormatError(JwtFormatErrorKind Kind, string Detail)
{
    /// <summary>True when this value represents a failure.</summary>
    public bool IsError => Kind != JwtFormatErrorKind.None;

    /// <inheritdoc />
    public override string ToString() => $"{Kind}: {Detail}";
}
