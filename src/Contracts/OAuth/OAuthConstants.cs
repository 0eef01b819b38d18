namespace WorkloadFederation.Contracts.OAuth;

/// <summary>Grant type URIs accepted by the token endpoint (RFC 6749 §4.4, RFC 8693 §2.1).</summary>
public static class GrantTypes
{
    public const string TokenExchange = "urn:ietf:params:oauth:grant-type:token-exchange";
    public const string ClientCredentials = "client_credentials";
}

/// <summary>Token type URIs (RFC 8693 §3).</summary>
public static class TokenTypes
{
    public const string Jwt = "urn:ietf:params:oauth:token-type:jwt";
    public const string IdToken = "urn:ietf:params:oauth:token-type:id_token";
    public const string AccessToken = "urn:ietf:params:oauth:token-type:access_token";
    public const string Bearer = "Bearer";
}

/// <summary>Client assertion types (RFC 7523 §2.2).</summary>
public static class ClientAssertionTypes
{
    public const string JwtBearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
}

/// <summary>Token endpoint authentication methods advertised in discovery (RFC 8414 §2).</summary>
public static class ClientAuthenticationMethods
{
    public const string PrivateKeyJwt = "private_key_jwt";
    public const string ClientSecretPost = "client_secret_post";
}

/// <summary>Error codes of RFC 6749 §5.2.</summary>
public static class OAuthErrors
{
    public const string InvalidRequest = "invalid_request";
    public const string InvalidClient = "invalid_client";
    public const string InvalidGrant = "invalid_grant";
    public const string UnauthorizedClient = "unauthorized_client";
    public const string UnsupportedGrantType = "unsupported_grant_type";
    public const string UnsupportedTokenType = "unsupported_token_type";
    public const string InvalidToken = "invalid_token";
    public const string TemporarilyUnavailable = "temporarily_unavailable";
}

/// <summary>Form parameter names of the token, introspection and revocation endpoints.</summary>
public static class OAuthParameters
{
    public const string GrantType = "grant_type";
    public const string ClientId = "client_id";
    public const string ClientSecret = "client_secret";
    public const string ClientAssertion = "client_assertion";
    public const string ClientAssertionType = "client_assertion_type";
    public const string SubjectToken = "subject_token";
    public const string SubjectTokenType = "subject_token_type";
    public const string RequestedTokenType = "requested_token_type";
    public const string Audience = "audience";
    public const string Scope = "scope";
    public const string Token = "token";
    public const string TokenTypeHint = "token_type_hint";
}

/// <summary>Paths of the node's HTTP surface (API.md).</summary>
public static class EndpointPaths
{
    public const string Token = "/auth/v1/token";
    public const string Introspect = "/auth/v1/introspect";
    public const string Revoke = "/auth/v1/revoke";
    public const string OpenIdConfiguration = "/.well-known/openid-configuration";
    public const string OAuthAuthorizationServer = "/.well-known/oauth-authorization-server";
    public const string Jwks = "/.well-known/jwks.json";
    public const string Health = "/healthz";
    public const string Ready = "/readyz";
    public const string AdminPrefix = "/api/v1";
    public const string OpenApi = "/openapi/v1.json";
    public const string DevOidcPrefix = "/dev/oidc";
    public const string DevOidcToken = "/dev/oidc/token";
}

/// <summary>Authentication method references placed in the <c>amr</c> claim of issued tokens.</summary>
public static class AuthenticationMethods
{
    public const string Federation = "federation";
    public const string ClientCredentials = "client_credentials";
}

/// <summary>Claim names of access tokens issued by the node (API.md "Success").</summary>
public static class AccessTokenClaims
{
    public const string Issuer = "iss";
    public const string Subject = "sub";
    public const string Audience = "aud";
    public const string Expires = "exp";
    public const string IssuedAt = "iat";
    public const string NotBefore = "nbf";
    public const string JwtId = "jti";
    public const string Tenant = "tenant";
    public const string ClientId = "client_id";
    public const string Roles = "roles";
    public const string AuthenticationMethods = "amr";
    public const string TrustId = "trust_id";
    public const string CredentialId = "credential_id";
    /// <summary>The subject token's issuer, for a federated token.</summary>
    public const string SubjectIssuer = "subject_iss";
    /// <summary>The subject token's subject, for a federated token.</summary>
    public const string SubjectSubject = "subject_sub";
}
