using WorkloadFederation.Federation.Model;

namespace WorkloadFederation.Federation.Store;

// The ports Federation needs from a store (DESIGN.md "Source of truth", "Change feed").
// Implemented by src/Storage for SQLite and PostgreSQL; one contract test suite runs against both.
// Every write is one transaction, durable before the call returns, and advances the store version.

/// <summary>The kinds of configuration entity the change feed reports.</summary>
public enum EntityKind
{
    Tenant,
    Provider,
    ServicePrincipal,
    Credential,
    Trust,
    SigningKey,
    RevokedToken,
}

/// <summary>
/// One committed change. <see cref="Current"/> is the entity as it is now (one of the Model records),
/// or null when it was deleted.
/// </summary>
public sealed record EntityChange(long Version, EntityKind Kind, string Tenant, string Id, object? Current);

/// <summary>The whole configuration at one store version.</summary>
public sealed record StoreState(
    long Version,
    IReadOnlyList<Tenant> Tenants,
    IReadOnlyList<Provider> Providers,
    IReadOnlyList<ServicePrincipal> Principals,
    IReadOnlyList<Credential> Credentials,
    IReadOnlyList<Trust> Trusts,
    IReadOnlyList<SigningKey> SigningKeys,
    IReadOnlyList<RevokedToken> RevokedTokens);

/// <summary>Changes after a version, in commit order. <see cref="Version"/> is the version they bring the reader to.</summary>
public sealed record ChangeBatch(long Version, IReadOnlyList<EntityChange> Changes);

/// <summary>Thrown at the store boundary when a write conflicts (unique key, reference in use, stale revision).</summary>
public sealed class StoreConflictException(string code, string message) : Exception(message)
{
    /// <summary>A stable code such as <c>provider_in_use</c> or <c>duplicate</c>.</summary>
    public string Code { get; } = code;
}

/// <summary>
/// Thrown at the store boundary when the database permanently refuses a value of the write (a data exception or an
/// integrity constraint): retrying the same write can never succeed. An <see cref="ArgumentException"/>, so callers
/// that drop or report bad input treat it as such rather than as an outage.
/// </summary>
public sealed class StoreRefusedException(string message, Exception innerException) : ArgumentException(message, innerException);

/// <summary>Thrown when an entity to update or delete does not exist (in that tenant).</summary>
public sealed class StoreNotFoundException(string message) : Exception(message);

/// <summary>Configuration reads and writes plus the change feed.</summary>
public interface IConfigurationStore
{
    /// <summary>Applies pending migrations (idempotent, safe when several nodes start at once).</summary>
    Task MigrateAsync(CancellationToken cancellationToken);

    /// <summary>Loads every entity of every tenant at one consistent version.</summary>
    Task<StoreState> LoadAsync(CancellationToken cancellationToken);

    /// <summary>The current store version (cheap; used by the periodic poll).</summary>
    Task<long> GetVersionAsync(CancellationToken cancellationToken);

    /// <summary>Changes committed after <paramref name="afterVersion"/>, at most <paramref name="limit"/>.</summary>
    Task<ChangeBatch> ReadChangesAsync(long afterVersion, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Completes when a change may have been committed (PostgreSQL: a NOTIFY; SQLite: a write through this process)
    /// or when <paramref name="timeout"/> passes. Callers re-read the version either way.
    /// </summary>
    Task WaitForChangeAsync(TimeSpan timeout, CancellationToken cancellationToken);

    // Tenants. Creating an existing tenant → StoreConflictException("duplicate").
    Task<long> CreateTenantAsync(Tenant tenant, CancellationToken cancellationToken);

    // Upserts: insert, or replace the entity with the same tenant and id. Returns the new store version.
    // A client id already used by another entity → StoreConflictException("duplicate_client_id").
    // Optimistic concurrency across nodes: with expectedUpdatedAt, the write happens only if the stored entity still
    // has that UpdatedAt (the revision the caller read), checked inside the write's transaction; another revision →
    // StoreConflictException("stale"), no such entity any more → StoreNotFoundException.
    Task<long> SaveProviderAsync(Provider provider, CancellationToken cancellationToken, DateTimeOffset? expectedUpdatedAt = null);

    Task<long> SavePrincipalAsync(ServicePrincipal principal, CancellationToken cancellationToken, DateTimeOffset? expectedUpdatedAt = null);

    Task<long> SaveCredentialAsync(Credential credential, CancellationToken cancellationToken, DateTimeOffset? expectedUpdatedAt = null);

    Task<long> SaveTrustAsync(Trust trust, CancellationToken cancellationToken, DateTimeOffset? expectedUpdatedAt = null);

    /// <summary>
    /// Creates a principal together with its first credential in one transaction (tenant bootstrap).
    /// </summary>
    Task<long> SavePrincipalWithCredentialAsync(ServicePrincipal principal, Credential credential, CancellationToken cancellationToken);

    // Deletes. Not found → StoreNotFoundException. Deleting a provider used by a trust → StoreConflictException("provider_in_use").
    // Deleting a principal deletes its credentials and trusts in the same transaction (each reported in the change feed).
    Task<long> DeleteProviderAsync(string tenant, string id, CancellationToken cancellationToken);

    Task<long> DeletePrincipalAsync(string tenant, string id, CancellationToken cancellationToken);

    Task<long> DeleteCredentialAsync(string tenant, string id, CancellationToken cancellationToken);

    Task<long> DeleteTrustAsync(string tenant, string id, CancellationToken cancellationToken);

    // Signing keys of issued tokens (shared by the cluster).
    Task<long> SaveSigningKeyAsync(SigningKey key, CancellationToken cancellationToken);

    // Revoked access tokens (RFC 7009), reported in the change feed so every node refuses them.
    Task<long> SaveRevokedTokenAsync(RevokedToken token, CancellationToken cancellationToken);
}

/// <summary>Single-use marks (client assertion <c>jti</c>), deployment-wide.</summary>
public interface IReplayStore
{
    /// <summary>
    /// Records <paramref name="key"/> until <paramref name="expiresAt"/>. False when the key is already recorded
    /// and not yet expired (a replay). Atomic across nodes.
    /// </summary>
    Task<bool> TryMarkAsync(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken);

    /// <summary>Removes marks that expired before <paramref name="now"/>; returns how many.</summary>
    Task<int> PurgeExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>A page of audit events of one tenant, oldest first.</summary>
public sealed record AuditPage(IReadOnlyList<StoredAuditEvent> Events, long? Next);

/// <summary>The audit log.</summary>
public interface IAuditStore
{
    /// <summary>Appends a batch in one transaction.</summary>
    Task AppendAsync(IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken);

    /// <summary>
    /// Events of <paramref name="tenant"/> with id (the tenant's own event number) greater than <paramref name="after"/>,
    /// at most <paramref name="limit"/>.
    /// </summary>
    Task<AuditPage> QueryAsync(string tenant, long after, int limit, CancellationToken cancellationToken);
}
