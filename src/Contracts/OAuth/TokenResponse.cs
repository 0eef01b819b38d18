namespace WorkloadFederation.Contracts.OAuth;

/// <summary>Successful token endpoint response (RFC 6749 §5.1, RFC 8693 §2.2.1).</summary>
public sealed record TokenResponse(
    string AccessToken,
    string TokenType,
    int ExpiresIn,
    string? IssuedTokenType = null);

/// <summary>Error response (RFC 6749 §5.2).</summary>
public sealed record OAuthErrorResponse(string Error, string? ErrorDescription = null);

/// <summary>Introspection response (RFC 7662 §2.2). Only <see cref="Active"/> is set for an inactive token.</summary>
public sealed record IntrospectionResponse(
    bool Active,
    string? Sub = null,
    string? ClientId = null,
    string? Tenant = null,
    string? Iss = null,
    long? Exp = null,
    long? Iat = null,
    string? Jti = null,
    IReadOnlyList<string>? Roles = null,
    string? TokenType = null);
