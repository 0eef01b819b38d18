namespace WorkloadFederation.Federation.ProviderKeys;

/// <summary>
/// The per-provider JWKS cache (DESIGN.md "Provider keys"). Thread-safe; the hot path (a known key) completes
/// synchronously without I/O.
/// </summary>
public interface IProviderKeyCache
{
    /// <summary>
    /// Resolves the key for a token header's <paramref name="kid"/> (may be null) and <paramref name="alg"/>.
    /// Fetches the provider's keys on first use; on an unknown <c>kid</c> refetches once, shared by every
    /// concurrent caller and rate-limited per provider; serves known keys while the issuer is failing.
    /// </summary>
    ValueTask<ProviderKeyResult> ResolveAsync(ProviderKeySource source, string? kid, string alg, CancellationToken cancellationToken);

    /// <summary>Starts fetching a provider's keys in the background if they are not cached yet (e.g. when a snapshot is loaded).</summary>
    void Prefetch(ProviderKeySource source);

    /// <summary>Forgets a provider's cached keys (the provider changed or was deleted).</summary>
    void Invalidate(string providerId);

    /// <summary>The state of a provider's entry, or null when it has none.</summary>
    ProviderKeyState? GetState(string providerId);

    /// <summary>Refreshes every provider whose refresh is due, once; the background loop calls this every tick.</summary>
    Task RefreshDueAsync(CancellationToken cancellationToken);

    /// <summary>The background refresh loop, until <paramref name="cancellationToken"/> is cancelled. The host runs it.</summary>
    Task RunAsync(CancellationToken cancellationToken);
}
