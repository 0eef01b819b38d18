namespace WorkloadFederation.Federation.Model;

// The configuration entities of DESIGN.md's vocabulary. Immutable; a change is a new record.
// Every entity carries its tenant; nothing crosses tenants. Ids are opaque strings.

/// <summary>An isolated customer space, named by its domain.</summary>
public sealed record Tenant(string Domain, DateTimeOffset CreatedAt);

/// <summary>An OIDC issuer a tenant trusts.</summary>
public sealed record Provider(
    string Id,
    string Tenant,
    string DisplayName,
    string Preset,
    string IssuerUrl,
    string? JwksUri,
    IReadOnlyList<string> AllowedAlgorithms,
    int MaxTokenAgeSeconds,
    bool DevelopmentIssuer,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>
/// A non-human identity. <see cref="Owners"/> are ids of other service principals of the same tenant.
/// <see cref="TokensNotBefore"/>: tokens issued before it are dead (set by a disable; see <c>TokenNotBefore</c>).
/// </summary>
public sealed record ServicePrincipal(
    string Id,
    string Tenant,
    string DisplayName,
    IReadOnlyList<string> Roles,
    IReadOnlyList<string> Owners,
    bool Enabled,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? TokensNotBefore = null);

/// <summary>
/// A client-credentials login of a principal: only the Ed25519 public key is kept.
/// <see cref="TokensNotBefore"/>: tokens issued before it are dead (set by a revoke).
/// </summary>
public sealed record Credential(
    string Id,
    string Tenant,
    string PrincipalId,
    string ClientId,
    string DisplayName,
    byte[] PublicKey,
    DateTimeOffset ExpiresAt,
    IReadOnlyList<string> IpAllowlist,
    IReadOnlyList<string> ScopedRoles,
    DateTimeOffset? RevokedAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? TokensNotBefore = null);

/// <summary>
/// Binds a provider to a principal under a CEL condition.
/// <see cref="TokensNotBefore"/>: tokens issued before it are dead (set by a disable).
/// </summary>
public sealed record Trust(
    string Id,
    string Tenant,
    string PrincipalId,
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
    DateTimeOffset UpdatedAt,
    DateTimeOffset? TokensNotBefore = null);

/// <summary>
/// A key that signs issued access tokens, shared by every node through the store.
/// <see cref="EncryptedPrivateKey"/> is sealed with the cluster's key-encryption key; the clear private key is never stored.
/// </summary>
public sealed record SigningKey(
    string KeyId,
    string Algorithm,
    string PublicJwk,
    byte[] EncryptedPrivateKey,
    DateTimeOffset CreatedAt,
    DateTimeOffset? RetiredAt,
    DateTimeOffset? PublishedUntil);

/// <summary>A revoked access token (RFC 7009), kept until the token would have expired.</summary>
public sealed record RevokedToken(string Jti, string Tenant, DateTimeOffset ExpiresAt, DateTimeOffset RevokedAt);

/// <summary>One decision or change, as API.md's audit event.</summary>
public sealed record AuditEvent(
    DateTimeOffset Time,
    string Type,
    string Tenant,
    string Outcome,
    string Reason,
    string? PrincipalId = null,
    string? CredentialId = null,
    string? TrustId = null,
    string? ClientId = null,
    string? ClientIp = null,
    string? Subject = null,
    string? Detail = null);

/// <summary>
/// An audit event as stored, with its store-assigned id: the event's number within its tenant (1, 2, 3… in commit
/// order), so that it says nothing about other tenants.
/// </summary>
public sealed record StoredAuditEvent(long Id, AuditEvent Event);
