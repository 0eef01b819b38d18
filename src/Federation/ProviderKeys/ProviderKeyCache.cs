using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using WorkloadFederation.Contracts.Text;
using WorkloadFederation.Federation.Jwt;

namespace WorkloadFederation.Federation.ProviderKeys;

/// <summary>
/// The in-memory JWKS cache of every provider of the node.
/// <para>
/// Fetch triggers: the first use of a provider (or <see cref="Prefetch"/>); the background refresh when due
/// (<c>Cache-Control: max-age</c> clamped to [min, max], the default interval without it, a doubling back-off after
/// failures); an unknown <c>kid</c>, at most once per <see cref="ProviderKeyOptions.UnknownKeyRefetchInterval"/> per
/// provider. At most one fetch per provider runs at a time and every caller that needs it awaits the same one.
/// </para>
/// <para>
/// Stale-if-error: a failed fetch never discards keys that were fetched successfully; they are served until a fetch
/// succeeds or <see cref="ProviderKeyOptions.MaxStaleness"/> passes.
/// </para>
/// </summary>
public sealed class ProviderKeyCache : IProviderKeyCache, IDisposable
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly IJwksFetcher _fetcher;
    private readonly ProviderKeyOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _disposed = new();
    private readonly IDisposable? _ownedFetcher;

    /// <summary>A cache that fetches over guarded HTTP.</summary>
    public ProviderKeyCache(ProviderKeyOptions options, TimeProvider timeProvider, ILogger<ProviderKeyCache>? logger = null)
        : this(options, timeProvider, logger, new HttpJwksFetcher(ValidOptions(options)))
    {
        _ownedFetcher = (IDisposable)_fetcher;
    }

    /// <summary>A cache over <paramref name="fetcher"/>, which stays the caller's to dispose.</summary>
    public ProviderKeyCache(ProviderKeyOptions options, TimeProvider timeProvider, ILogger? logger, IJwksFetcher fetcher)
    {
        _options = ValidOptions(options);
        _time = timeProvider;
        _logger = logger ?? NullLogger.Instance;
        _fetcher = fetcher;
    }

    private static ProviderKeyOptions ValidOptions(ProviderKeyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        return problems.Count == 0 ? options : throw new ArgumentException("Invalid provider key options: " + string.Join(" ", problems), nameof(options));
    }

    /// <inheritdoc />
    public ValueTask<ProviderKeyResult> ResolveAsync(ProviderKeySource source, string? kid, string alg, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(alg);
        var entry = EntryFor(source);
        var keys = entry.Current(_time.GetUtcNow(), _options.MaxStaleness);
        if (keys is not null)
        {
            var lookup = keys.Find(kid, alg);
            if (lookup.Status != KeyLookupStatus.NotFound)
            {
                return ValueTask.FromResult(ProviderKeyLookup.ToResult(lookup, keys));
            }
        }

        return ResolveSlowAsync(entry, keys, kid, alg, cancellationToken);
    }

    private async ValueTask<ProviderKeyResult> ResolveSlowAsync(Entry entry, JsonWebKeySet? keys, string? kid, string alg, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        var fetch = keys is null ? entry.StartOrJoin(this, FetchTrigger.FirstUse, now) : entry.StartOrJoin(this, FetchTrigger.UnknownKey, now);
        if (fetch is null)
        {
            if (keys is null)
            {
                return ProviderKeyResult.Unavailable(entry.UnavailableDetail());
            }

            Log.UnknownKeyRateLimited(_logger, entry.Source.ProviderId);
            return NotFound(entry, keys, kid, alg);
        }

        await fetch.WaitAsync(ct).ConfigureAwait(false);
        keys = entry.Current(_time.GetUtcNow(), _options.MaxStaleness);
        if (keys is null)
        {
            return ProviderKeyResult.Unavailable(entry.UnavailableDetail());
        }

        var lookup = keys.Find(kid, alg);
        return lookup.Status == KeyLookupStatus.NotFound ? NotFound(entry, keys, kid, alg) : ProviderKeyLookup.ToResult(lookup, keys);
    }

    private static ProviderKeyResult NotFound(Entry entry, JsonWebKeySet keys, string? kid, string alg) =>
        ProviderKeyLookup.NotFound(keys, kid, alg, entry.LastFetchFailed ? entry.LastError ?? string.Empty : null);

    /// <summary>
    /// Primes a provider's entry with keys fetched earlier (persisted by the provider's one fetcher), unless it already
    /// holds keys. They are served like fetched keys (stale-if-error, <see cref="ProviderKeyOptions.MaxStaleness"/> from
    /// <paramref name="fetchedAt"/>); the next refresh is due at <paramref name="nextRefreshAt"/>.
    /// </summary>
    public void Seed(ProviderKeySource source, JsonWebKeySet keys, DateTimeOffset fetchedAt, DateTimeOffset nextRefreshAt)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(keys);
        EntryFor(source).Seed(keys, fetchedAt, nextRefreshAt);
    }

    /// <summary>The keys a provider's entry serves now and when they were fetched, or null when it has none.</summary>
    public (JsonWebKeySet Keys, DateTimeOffset FetchedAt)? GetKeys(string providerId) =>
        _entries.TryGetValue(providerId, out var entry) && entry.Cached is { } cached ? (cached.Keys, cached.FetchedAt) : null;

    /// <inheritdoc />
    public void Prefetch(ProviderKeySource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var entry = EntryFor(source);
        if (entry.Current(_time.GetUtcNow(), _options.MaxStaleness) is null)
        {
            entry.StartOrJoin(this, FetchTrigger.FirstUse, _time.GetUtcNow());
        }
    }

    /// <summary>
    /// Fetches a provider's keys and waits for the fetch when none are cached (the first-use trigger, with its
    /// retry back-off after failures); returns at once when keys are cached.
    /// </summary>
    public async Task EnsureFetchedAsync(ProviderKeySource source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        var entry = EntryFor(source);
        if (entry.Current(_time.GetUtcNow(), _options.MaxStaleness) is null
            && entry.StartOrJoin(this, FetchTrigger.FirstUse, _time.GetUtcNow()) is { } fetch)
        {
            await fetch.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public void Invalidate(string providerId) => _entries.TryRemove(providerId, out _);

    /// <inheritdoc />
    public ProviderKeyState? GetState(string providerId) =>
        _entries.TryGetValue(providerId, out var entry) ? entry.State() : null;

    /// <inheritdoc />
    public async Task RefreshDueAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var fetches = new List<Task>();
        foreach (var entry in _entries.Values)
        {
            // Bounded per pass so that many providers coming due together do not fan out at once; the rest are
            // picked up by the next tick.
            if (fetches.Count >= _options.MaxRefreshesPerPass)
            {
                break;
            }

            if (entry.IsRefreshDue(now) && entry.StartOrJoin(this, FetchTrigger.Refresh, now) is { } fetch)
            {
                fetches.Add(fetch);
            }
        }

        await Task.WhenAll(fetches).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.RefreshTick, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await RefreshDueAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Log.RefreshPassFailed(_logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Host shutdown.
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
        _ownedFetcher?.Dispose();
    }

    private Entry EntryFor(ProviderKeySource source)
    {
        while (true)
        {
            var entry = _entries.GetOrAdd(source.ProviderId, static (_, s) => new Entry(s), source);
            if (entry.Source == source)
            {
                return entry;
            }

            // The provider's issuer, JWKS URI or development flag changed: its old keys must not be used.
            _entries.TryUpdate(source.ProviderId, new Entry(source), entry);
        }
    }

    private async Task RunFetchAsync(Entry entry, FetchTrigger trigger)
    {
        JwksFetchResult result;
        try
        {
            result = await _fetcher.FetchAsync(entry.Source, _disposed.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
        {
            result = JwksFetchResult.Failure("The key cache is shutting down.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A defect in fetching must not fault every request waiting on this fetch.
            Log.FetchCrashed(_logger, entry.Source.ProviderId, ex);
            result = JwksFetchResult.Failure("The keys could not be fetched because of an internal error.");
        }

        var now = _time.GetUtcNow();
        if (result.Succeeded)
        {
            var interval = Clamp(result.MaxAge ?? _options.DefaultRefreshInterval, _options.MinRefreshInterval, _options.MaxRefreshInterval);
            entry.Succeeded(result.Keys!, now, now + interval);
            Log.FetchSucceeded(_logger, entry.Source.ProviderId, result.Keys!.Keys.Count, result.Keys.Skipped.Count, (long)interval.TotalSeconds, TriggerName(trigger));
            foreach (var skipped in result.Keys.Skipped)
            {
                Log.KeySkipped(_logger, entry.Source.ProviderId, DisplayText.Escape(skipped));
            }
        }
        else
        {
            var retry = entry.Failed(result.Error!, now, _options.ErrorRetryInterval, _options.MaxErrorRetryInterval);
            var state = entry.Current(now, _options.MaxStaleness) is { } stale ? $"serving {stale.Keys.Count} cached keys" : "no keys cached";
            Log.FetchFailed(_logger, entry.Source.ProviderId, TriggerName(trigger), state, (long)retry.TotalSeconds, DisplayText.Escape(result.Error!));
        }
    }

    private static TimeSpan Clamp(TimeSpan value, TimeSpan min, TimeSpan max) => value < min ? min : value > max ? max : value;

    private static string TriggerName(FetchTrigger trigger) => trigger switch
    {
        FetchTrigger.FirstUse => "first use",
        FetchTrigger.UnknownKey => "unknown key id",
        _ => "scheduled refresh",
    };

    private sealed record CachedKeys(JsonWebKeySet Keys, DateTimeOffset FetchedAt);

    private enum FetchTrigger
    {
        FirstUse,
        UnknownKey,
        Refresh,
    }

    /// <summary>One provider's keys and fetch state. Mutable fields are guarded by <see cref="_gate"/>.</summary>
    private sealed class Entry(ProviderKeySource source)
    {
        private readonly Lock _gate = new();
        private volatile CachedKeys? _cached;
        private DateTimeOffset? _lastSuccessAt;
        private DateTimeOffset? _lastFailureAt;
        private string? _lastError;
        private int _consecutiveFailures;
        private DateTimeOffset _nextRefreshAt = DateTimeOffset.MinValue;
        private DateTimeOffset _retryNotBefore = DateTimeOffset.MinValue;
        private DateTimeOffset _lastUnknownKeyFetch = DateTimeOffset.MinValue;
        private Task? _inFlight;
        private int _fetchCount;

        public ProviderKeySource Source { get; } = source;

        public CachedKeys? Cached => _cached;

        public bool LastFetchFailed
        {
            get
            {
                lock (_gate)
                {
                    return _consecutiveFailures > 0;
                }
            }
        }

        public string? LastError
        {
            get
            {
                lock (_gate)
                {
                    return _lastError;
                }
            }
        }

        /// <summary>The keys to use now: the last fetched set, unless it is staler than allowed.</summary>
        public JsonWebKeySet? Current(DateTimeOffset now, TimeSpan maxStaleness) =>
            _cached is { } cached && now - cached.FetchedAt <= maxStaleness ? cached.Keys : null;

        public bool IsRefreshDue(DateTimeOffset now)
        {
            lock (_gate)
            {
                return now >= _nextRefreshAt && now >= _retryNotBefore;
            }
        }

        /// <summary>Joins the fetch in flight, or starts one if the trigger's rate limit allows; null when limited.</summary>
        public Task? StartOrJoin(ProviderKeyCache cache, FetchTrigger trigger, DateTimeOffset now)
        {
            lock (_gate)
            {
                if (_inFlight is { IsCompleted: false } running)
                {
                    return running;
                }

                var allowed = trigger switch
                {
                    FetchTrigger.UnknownKey => now >= _retryNotBefore && now - _lastUnknownKeyFetch >= cache._options.UnknownKeyRefetchInterval,
                    FetchTrigger.FirstUse => now >= _retryNotBefore,
                    _ => true,
                };

                if (!allowed)
                {
                    return null;
                }

                if (trigger == FetchTrigger.UnknownKey)
                {
                    _lastUnknownKeyFetch = now;
                }

                _fetchCount++;
                _inFlight = Task.Run(() => cache.RunFetchAsync(this, trigger));
                return _inFlight;
            }
        }

        public void Seed(JsonWebKeySet keys, DateTimeOffset fetchedAt, DateTimeOffset nextRefresh)
        {
            lock (_gate)
            {
                if (_cached is not null)
                {
                    return;
                }

                _cached = new CachedKeys(keys, fetchedAt);
                _lastSuccessAt = fetchedAt;
                _nextRefreshAt = nextRefresh;
            }
        }

        public void Succeeded(JsonWebKeySet keys, DateTimeOffset now, DateTimeOffset nextRefresh)
        {
            lock (_gate)
            {
                _cached = new CachedKeys(keys, now);
                _lastSuccessAt = now;
                _lastError = null;
                _consecutiveFailures = 0;
                _nextRefreshAt = nextRefresh;
                _retryNotBefore = DateTimeOffset.MinValue;
            }
        }

        public TimeSpan Failed(string error, DateTimeOffset now, TimeSpan baseRetry, TimeSpan maxRetry)
        {
            lock (_gate)
            {
                _lastError = error;
                _lastFailureAt = now;
                _consecutiveFailures++;
                var factor = Math.Pow(2, Math.Min(_consecutiveFailures - 1, 16));
                var retry = TimeSpan.FromTicks((long)Math.Min(baseRetry.Ticks * factor, maxRetry.Ticks));
                _retryNotBefore = now + retry;
                _nextRefreshAt = now + retry;
                return retry;
            }
        }

        public string UnavailableDetail()
        {
            lock (_gate)
            {
                return _lastError is null
                    ? "The provider's keys have not been fetched yet."
                    : "The provider's keys cannot be fetched: " + _lastError;
            }
        }

        public ProviderKeyState State()
        {
            lock (_gate)
            {
                var keys = _cached?.Keys;
                return new ProviderKeyState(
                    Source.ProviderId,
                    keys?.Keys.Count ?? 0,
                    keys is null ? [] : ProviderKeyLookup.KeyIds(keys),
                    keys?.Skipped ?? [],
                    _lastSuccessAt,
                    _lastFailureAt,
                    _lastError,
                    _nextRefreshAt,
                    _fetchCount);
            }
        }
    }
}
