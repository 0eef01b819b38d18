namespace WorkloadFederation.Federation.Jwt;

/// <summary>Registered claim names (RFC 7519 §4.1) and header parameter names (RFC 7515 §4.1).</summary>
public static class RegisteredClaims
{
    public const string Issuer = "iss";
    public const string Subject = "sub";
    public const string Audience = "aud";
    public const string Expires = "exp";
    public const string NotBefore = "nbf";
    public const string IssuedAt = "iat";
    public const string JwtId = "jti";
}

/// <summary>JOSE header parameter names (RFC 7515 §4.1).</summary>
public static class JoseHeaders
{
    public const string Algorithm = "alg";
    public const string KeyId = "kid";
    public const string Type = "typ";
    public const string ContentType = "cty";
    public const string Critical = "crit";
    public const string JwkSetUrl = "jku";
    public const string Jwk = "jwk";
    public const string X509Url = "x5u";
    public const string X509Chain = "x5c";
    public const string X509Thumbprint = "x5t";
    public const string X509ThumbprintSha256 = "x5t#S256";

    /// <summary>The names RFC 7515 §4.1.11 forbids listing in <c>crit</c> (defined by the JWS and JWA specifications).</summary>
    public static IReadOnlySet<string> Registered { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        Algorithm, KeyId, Type, ContentType, Critical, JwkSetUrl, Jwk, X509Url, X509Chain, X509Thumbprint, X509ThumbprintSha256,
        "enc", "zip", "epk", "apu", "apv", "iv", "tag", "p2s", "p2c",
    };
}
