using WorkloadFederation.Federation.Model;
using WorkloadFederation.Federation.Store;

namespace WorkloadFederation.Federation.Tests.Snapshot;

/// <summary>
/// A test double of <see cref="IConfigurationStore"/>: every write bumps the version, records a change and wakes
/// waiters (like a NOTIFY). <see cref="SuppressNotifications"/> simulates lost notifications.
/// </summary>
public sealed class InMemoryConfigurationStore : IConfigurationStore, IReplayStore
{
    private readonly object _lock = new();
    private readonly Dictionary<(EntityKind, string, string), object> _entities = [];
    private readonly List<EntityChange> _changes = [];
    private readonly Dictionary<string, DateTimeOffset> _marks = new(StringComparer.Ordinal);
    private TaskCompletionSource _signal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _version;

    public bool SuppressNotifications { get; set; }

    public int LoadCount { get; private set; }

    public int ReadChangesCount { get; private set; }

    /// <summary>When set, the next read of the change feed throws (a store outage).</summary>
    public Exception? FailNextRead { get; set; }

    /// <summary>How many injected failures were thrown (a test checks its failure actually fired).</summary>
    public int FailuresThrown { get; private set; }

    /// <summary>The clock of <see cref="WaitForChangeAsync"/>'s timeout (a manual clock lets a test drive the poll).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    public Task MigrateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<StoreState> LoadAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            ThrowIfFailing();
            LoadCount++;
            return Task.FromResult(new StoreState(
                _version,
                Of<Tenant>(EntityKind.Tenant),
                Of<Provider>(EntityKind.Provider),
                Of<ServicePrincipal>(EntityKind.ServicePrincipal),
                Of<Credential>(EntityKind.Credential),
                Of<Trust>(EntityKind.Trust),
                Of<SigningKey>(EntityKind.SigningKey),
                Of<RevokedToken>(EntityKind.RevokedToken)));
        }
    }

    public Task<long> GetVersionAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            ThrowIfFailing();
            return Task.FromResult(_version);
        }
    }

    public Task<ChangeBatch> ReadChangesAsync(long afterVersion, int limit, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            ThrowIfFailing();
            ReadChangesCount++;
            var changes = _changes.Where(c => c.Version > afterVersion).Take(limit).ToList();
            var version = changes.Count > 0 ? changes[^1].Version : Math.Max(afterVersion, 0);
            return Task.FromResult(new ChangeBatch(version, changes));
        }
    }

    public async Task WaitForChangeAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        Task signal;
        lock (_lock)
        {
            signal = _signal.Task;
        }

        try
        {
            await signal.WaitAsync(timeout, Time, cancellationToken);
        }
        catch (TimeoutException)
        {
        }
    }

    public Task<long> CreateTenantAsync(Tenant tenant, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_entities.ContainsKey((EntityKind.Tenant, tenant.Domain, tenant.Domain)))
            {
                throw new StoreConflictException("duplicate", "tenant exists");
            }
        }

        return Task.FromResult(Write(EntityKind.Tenant, tenant.Domain, tenant.Domain, tenant));
    }

    public Task<long> SaveProviderAsync(Provider provider, CancellationToken cancellationToken, DateTimeOffset? expectedUpdatedAt = null) =>
        Task.FromResult(WriteRevision(EntityKind.Provider, provider.Tenant, provider.Id, provider, expectedUpdatedAt, p => ((Provider)p).UpdatedAt));

    public Task<long> SavePrincipalAsync(ServicePrincipal principal, CancellationToken cancellationToken, DateTimeOffset? expectedUpdatedAt = null) =>
        Task.FromResult(WriteRevision(EntityKind.ServicePrincipal, principal.Tenant, principal.Id, principal, expectedUpdatedAt, p => ((ServicePrincipal)p).UpdatedAt));

    public Task<long> SaveCredentialAsync(Credential credential, CancellationToken cancellationToken, DateTimeOffset? expectedUpdatedAt = null) =>
        Task.FromResult(WriteRevision(EntityKind.Credential, credential.Tenant, credential.Id, credential, expectedUpdatedAt, c => ((Credential)c).UpdatedAt));

    public Task<long> SaveTrustAsync(Trust trust, CancellationToken cancellationToken, DateTimeOffset? expectedUpdatedAt = null) =>
        Task.FromResult(WriteRevision(EntityKind.Trust, trust.Tenant, trust.Id, trust, expectedUpdatedAt, t => ((Trust)t).UpdatedAt));

    // The port's optimistic-concurrency rule, as the SQL stores apply it.
    private long WriteRevision(EntityKind kind, string tenant, string id, object entity, DateTimeOffset? expected, Func<object, DateTimeOffset> updatedAt)
    {
        lock (_lock)
        {
            if (expected is { } revision)
            {
                if (!_entities.TryGetValue((kind, tenant, id), out var current) || current is null)
                {
                    throw new StoreNotFoundException($"{kind} '{id}' was not found.");
                }

                if (updatedAt(current) != revision)
                {
                    throw new StoreConflictException("stale", $"{kind} '{id}' was changed since it was read.");
                }
            }

            return Write(kind, tenant, id, entity);
        }
    }

    public Task<long> SavePrincipalWithCredentialAsync(ServicePrincipal principal, Credential credential, CancellationToken cancellationToken)
    {
        Write(EntityKind.ServicePrincipal, principal.Tenant, principal.Id, principal);
        return Task.FromResult(Write(EntityKind.Credential, credential.Tenant, credential.Id, credential));
    }

    public Task<long> DeleteProviderAsync(string tenant, string id, CancellationToken cancellationToken) =>
        Task.FromResult(Write(EntityKind.Provider, tenant, id, null));

    public Task<long> DeletePrincipalAsync(string tenant, string id, CancellationToken cancellationToken)
    {
        List<(EntityKind Kind, string Id)> children;
        lock (_lock)
        {
            children = _entities
                .Where(e => e.Key.Item2 == tenant
                    && ((e.Value is Trust t && t.PrincipalId == id) || (e.Value is Credential c && c.PrincipalId == id)))
                .Select(e => (e.Key.Item1, e.Key.Item3))
                .ToList();
        }

        foreach (var (kind, childId) in children)
        {
            Write(kind, tenant, childId, null);
        }

        return Task.FromResult(Write(EntityKind.ServicePrincipal, tenant, id, null));
    }

    public Task<long> DeleteCredentialAsync(string tenant, string id, CancellationToken cancellationToken) =>
        Task.FromResult(Write(EntityKind.Credential, tenant, id, null));

    public Task<long> DeleteTrustAsync(string tenant, string id, CancellationToken cancellationToken) =>
        Task.FromResult(Write(EntityKind.Trust, tenant, id, null));

    public Task<long> SaveSigningKeyAsync(SigningKey key, CancellationToken cancellationToken) =>
        Task.FromResult(Write(EntityKind.SigningKey, string.Empty, key.KeyId, key));

    public Task<long> SaveRevokedTokenAsync(RevokedToken token, CancellationToken cancellationToken) =>
        Task.FromResult(Write(EntityKind.RevokedToken, token.Tenant, token.Jti, token));

    public Task<bool> TryMarkAsync(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_marks.ContainsKey(key))
            {
                return Task.FromResult(false);
            }

            _marks[key] = expiresAt;
            return Task.FromResult(true);
        }
    }

    public Task<int> PurgeExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var expired = _marks.Where(m => m.Value < now).Select(m => m.Key).ToList();
            foreach (var key in expired)
            {
                _marks.Remove(key);
            }

            return Task.FromResult(expired.Count);
        }
    }

    private long Write(EntityKind kind, string tenant, string id, object? current)
    {
        TaskCompletionSource? toSignal = null;
        long version;
        lock (_lock)
        {
            version = ++_version;
            if (current is null)
            {
                _entities.Remove((kind, tenant, id));
            }
            else
            {
                _entities[(kind, tenant, id)] = current;
            }

            _changes.Add(new EntityChange(version, kind, tenant, id, current));
            if (!SuppressNotifications)
            {
                toSignal = _signal;
                _signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        toSignal?.TrySetResult();
        return version;
    }

    private List<T> Of<T>(EntityKind kind) =>
        _entities.Where(e => e.Key.Item1 == kind).Select(e => (T)e.Value).ToList();

    private void ThrowIfFailing()
    {
        if (FailNextRead is { } failure)
        {
            FailNextRead = null;
            FailuresThrown++;
            throw failure;
        }
    }
}
