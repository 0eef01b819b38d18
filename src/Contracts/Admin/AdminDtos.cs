namespace WorkloadFederation.Contracts.Admin;

// Admin API bodies (API.md "Admin API"). Serialised with WireJson.Options (snake_case).
// Request records use nullable members so that a missing field is told apart from a default.

public sealed record ProviderPresetDto(
    string Id,
    string DisplayName,
    string? IssuerUrl,
    bool IssuerEditable,
    IReadOnlyList<string> Claims,
    IReadOnlyList<string> DefaultAlgorithms);

public sealed record ProviderPresetListDto(IReadOnlyList<ProviderPresetDto> Presets);

public sealed record CreateProviderRequest(
    string? DisplayName,
    string? Preset,
    string? IssuerUrl,
    string? JwksUri,
    IReadOnlyList<string>? AllowedAlgorithms,
    int? MaxTokenAgeSeconds,
    bool? DevelopmentIssuer);

public sealed record UpdateProviderRequest(
    string? DisplayName,
    string? IssuerUrl,
    string? JwksUri,
    IReadOnlyList<string>? AllowedAlgorithms,
    int? MaxTokenAgeSeconds);

public sealed record ProviderDto(
    string Id,
    string DisplayName,
    string Preset,
    string IssuerUrl,
    string? JwksUri,
    IReadOnlyList<string> AllowedAlgorithms,
    int MaxTokenAgeSeconds,
    bool DevelopmentIssuer,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

public sealed record ProviderListDto(IReadOnlyList<ProviderDto> Providers);

public sealed record CreateServicePrincipalRequest(
    string? DisplayName,
    IReadOnlyList<string>? Roles,
    IReadOnlyList<string>? Owners);

public sealed record UpdateServicePrincipalRequest(
    string? DisplayName,
    bool? Enabled,
    IReadOnlyList<string>? Roles,
    IReadOnlyList<string>? Owners);

public sealed record ServicePrincipalDto(
    string Id,
    string DisplayName,
    IReadOnlyList<string> Roles,
    IReadOnlyList<string> Owners,
    bool Enabled,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

public sealed record ServicePrincipalListDto(IReadOnlyList<ServicePrincipalDto> ServicePrincipals);

/// <summary>A public JWK supplied by the caller so that the private key never leaves the client.</summary>
public sealed record PublicJwkDto(string? Kty, string? Crv, string? X);

public sealed record CreateCredentialRequest(
    string? DisplayName,
    int? ExpiresInDays,
    IReadOnlyList<string>? IpAllowlist,
    IReadOnlyList<string>? ScopedRoles,
    PublicJwkDto? PublicKeyJwk);

public sealed record UpdateCredentialRequest(
    string? DisplayName,
    IReadOnlyList<string>? IpAllowlist,
    IReadOnlyList<string>? ScopedRoles);

public sealed record CredentialDto(
    string Id,
    string ServicePrincipalId,
    string ClientId,
    string DisplayName,
    DateTimeOffset ExpiresAt,
    IReadOnlyList<string> IpAllowlist,
    IReadOnlyList<string> ScopedRoles,
    PublicJwkDto PublicKeyJwk,
    bool Revoked,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    /// <summary>Present only in the response to the creation of a server-generated key.</summary>
    string? ClientSecret = null);

public sealed record CredentialListDto(IReadOnlyList<CredentialDto> Credentials);

public sealed record CreateTrustRequest(
    string? DisplayName,
    string? ProviderId,
    string? Condition,
    string? Audience,
    IReadOnlyList<string>? IpAllowlist,
    IReadOnlyList<string>? ScopedRoles,
    bool? Enabled,
    int? TokenLifetimeSeconds);

public sealed record UpdateTrustRequest(
    string? DisplayName,
    string? Condition,
    string? Audience,
    IReadOnlyList<string>? IpAllowlist,
    IReadOnlyList<string>? ScopedRoles,
    bool? Enabled,
    int? TokenLifetimeSeconds);

public sealed record TrustDto(
    string Id,
    string ServicePrincipalId,
    string ProviderId,
    string ClientId,
    string DisplayName,
    string Condition,
    string Audience,
    IReadOnlyList<string> IpAllowlist,
    IReadOnlyList<string> ScopedRoles,
    bool Enabled,
    int TokenLifetimeSeconds,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

public sealed record TrustListDto(IReadOnlyList<TrustDto> Trusts);

public sealed record TrustTestRequest(
    string? Token,
    System.Text.Json.JsonElement? Claims,
    string? ClientIp);

public sealed record TrustTestStepDto(
    string Name,
    string Status,
    string? Expected,
    string? Actual,
    string Detail);

public sealed record TrustTestResultDto(
    bool Allowed,
    IReadOnlyList<string> EffectiveRoles,
    System.Text.Json.JsonElement? DecodedClaims,
    IReadOnlyList<TrustTestStepDto> Steps);

public sealed record AuditEventDto(
    string Id,
    DateTimeOffset Time,
    string Type,
    string Tenant,
    string? PrincipalId,
    string? CredentialId,
    string? TrustId,
    string Outcome,
    string Reason,
    string? ClientIp,
    string? Subject,
    string? ClientId,
    string? Detail);

public sealed record AuditEventPageDto(IReadOnlyList<AuditEventDto> Events, string? Next);

public sealed record RoleListDto(IReadOnlyList<string> Roles);

/// <summary>Step names of the trust test runner, in order (API.md).</summary>
public static class TrustTestSteps
{
    public const string JwtDecode = "jwt_decode";
    public const string IssuerMatch = "issuer_match";
    public const string SignatureValidation = "signature_validation";
    public const string AudienceValidation = "audience_validation";
    public const string TokenFreshness = "token_freshness";
    public const string CelEvaluation = "cel_evaluation";
    public const string IpAddressCheck = "ip_address_check";

    public static IReadOnlyList<string> InOrder { get; } =
        [JwtDecode, IssuerMatch, SignatureValidation, AudienceValidation, TokenFreshness, CelEvaluation, IpAddressCheck];
}

/// <summary>Step statuses of the trust test runner.</summary>
public static class TrustTestStatuses
{
    public const string Pass = "pass";
    public const string Fail = "fail";
    public const string Skipped = "skipped";
}

/// <summary>Stable <c>code</c> members of admin API problem+json responses.</summary>
public static class ProblemCodes
{
    public const string Unauthenticated = "unauthenticated";
    public const string Forbidden = "forbidden";
    public const string NotFound = "not_found";
    public const string Conflict = "conflict";
    public const string ValidationFailed = "validation_failed";
    public const string FieldRequired = "field_required";
    public const string FieldTooLong = "field_too_long";
    public const string LimitExceeded = "limit_exceeded";
    public const string InvalidCidr = "invalid_cidr";
    public const string InvalidUrl = "invalid_url";
    public const string InvalidCondition = "invalid_condition";
    public const string ImmutableField = "immutable_field";
    public const string UnknownRole = "unknown_role";
    public const string UnknownPreset = "unknown_preset";
    public const string ProviderInUse = "provider_in_use";
    public const string MalformedBody = "malformed_body";
    public const string RateLimited = "rate_limited";
}
