using WorkloadFederation.Federation.Store;

namespace WorkloadFederation.Federation.ClientCredentials;

/// <summary>
/// Single use of client assertions across every node: the first caller to consume a key wins until it expires.
/// Small on purpose, so that another backing (a grain owning the marks of one credential) can replace the store's.
/// </summary>
public interface IReplayGuard
{
    /// <summary>
    /// True when <paramref name="key"/> was not consumed before (and is now, until <paramref name="expiresAt"/>);
    /// false for a replay. Atomic across nodes. Throws when the backing cannot answer (the caller denies).
    /// </summary>
    Task<bool> TryConsumeAsync(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken);
}

/// <summary>The replay guard backed by the deployment's store (<see cref="IReplayStore"/>).</summary>
public sealed class StoreReplayGuard(IReplayStore store) : IReplayGuard
{
    private readonly IReplayStore _store = store ?? throw new ArgumentNullException(nameof(store));

    /// <inheritdoc />
    public Task<bool> TryConsumeAsync(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
        _store.TryMarkAsync(key, expiresAt, cancellationToken);
}
