using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Storage;
using Orleans.Utilities;
using WorkloadFederation.Federation.Jwt;
using WorkloadFederation.Federation.ProviderKeys;
using WorkloadFederation.Grains.Abstractions.ProviderKeys;

namespace WorkloadFederation.Grains.ProviderKeys;

/// <summary>
/// The one JWKS fetcher and refresher of a provider, cluster-wide: a shell around a one-provider
/// <see cref="ProviderKeyCache"/> (discovery, cache headers, single-flight refetch on an unknown <c>kid</c>,
/// stale-if-error, the outbound guard). Its last good keys are persisted (so a freshly started cluster serves them
/// through an issuer outage) and every new version is pushed to the silos subscribed.
/// <para>
/// Calls are not interleaved: concurrent unknown-<c>kid</c> calls from every silo queue behind the first, which
/// refetches; the rest find the key known (or the refetch rate-limited) and return the same view without a fetch.
/// The fetch itself runs off the activation's thread; no signature is checked here.
/// </para>
/// </summary>
internal sealed partial class ProviderKeysGrain : Grain, IProviderKeysGrain, IDisposable
{
    private readonly IPersistentState<ProviderKeysState> _state;
    private readonly IJwksFetcher _fetcher;
    private readonly ProviderKeyOptions _options;
    private readonly ProviderViewOptions _viewOptions;
    private readonly TimeProvider _time;
    private readonly ILogger<ProviderKeysGrain> _logger;
    private readonly ObserverManager<IProviderKeysObserver> _observers;
    private ProviderKeyCache? _cache;
    private ProviderKeySource? _source;
    private ProviderKeysView? _published;
    private DateTimeOffset? _persistedFetchedAt;

    public ProviderKeysGrain(
        [PersistentState("provider-keys", GrainStorageNames.State)] IPersistentState<ProviderKeysState> state,
        IJwksFetcher fetcher,
        ProviderKeyOptions options,
        ProviderViewOptions viewOptions,
        TimeProvider time,
        ILogger<ProviderKeysGrain> logger)
    {
        _state = state;
        _fetcher = fetcher;
        _options = options;
        _viewOptions = viewOptions;
        _time = time;
        _logger = logger;
        _observers = new ObserverManager<IProviderKeysObserver>(viewOptions.SubscriptionExpiry, logger);
    }

    private string Tenant => this.GetPrimaryKeyString().Split('/', 2)[0];

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Not a keep-alive: the activation lives while silos renew their subscriptions, and refreshes meanwhile.
        this.RegisterGrainTimer(RefreshDueAsync, _options.RefreshTick, _options.RefreshTick);
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public async Task<ProviderKeysView> SubscribeAsync(ProviderKeySourceView source, IProviderKeysObserver observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        var cache = CacheFor(source);
        _observers.Subscribe(observer, observer);
        await cache.EnsureFetchedAsync(_source!, CancellationToken.None);
        return await PublishAsync();
    }

    public Task UnsubscribeAsync(IProviderKeysObserver observer)
    {
        _observers.Unsubscribe(observer);
        return Task.CompletedTask;
    }

    public async Task<ProviderKeysView> ResolveUnknownKeyAsync(ProviderKeySourceView source, string? kid, string alg)
    {
        ArgumentNullException.ThrowIfNull(alg);
        var cache = CacheFor(source);
        _ = await cache.ResolveAsync(_source!, kid, alg, CancellationToken.None);
        return await PublishAsync();
    }

    public void Dispose()
    {
        _cache?.Dispose();
        _cache = null;
    }

    private async Task RefreshDueAsync(CancellationToken cancellationToken)
    {
        if (_cache is null)
        {
            return;
        }

        await _cache.RefreshDueAsync(cancellationToken);
        await PublishAsync();
    }

    /// <summary>The cache for <paramref name="view"/>; a changed issuer, JWKS URI or dev flag starts over.</summary>
    private ProviderKeyCache CacheFor(ProviderKeySourceView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var source = view.ToSource(Tenant);
        if (_cache is not null && _source == source)
        {
            return _cache;
        }

        _cache?.Dispose();
        _cache = new ProviderKeyCache(_options, _time, _logger, _fetcher);
        _source = source;
        _published = null;
        SeedFromPersisted(source);
        return _cache;
    }

    private void SeedFromPersisted(ProviderKeySource source)
    {
        var persisted = _state.State;
        if (persisted.Source is not { } persistedSource || persisted.Jwks is not { } jwks)
        {
            return;
        }

        if (!persistedSource.SameAs(source))
        {
            Log.PersistedKeysIgnored(_logger, source.ProviderId, "the provider's issuer or JWKS URI changed");
            return;
        }

        if (!JsonWebKeySet.TryParse(System.Text.Encoding.UTF8.GetBytes(jwks), _options.Jwks, out var keys, out var error))
        {
            Log.PersistedKeysIgnored(_logger, source.ProviderId, error ?? "invalid");
            return;
        }

        _cache!.Seed(source, keys!, persisted.FetchedAt, persisted.NextRefreshAt);
        _persistedFetchedAt = persisted.FetchedAt;
    }

    /// <summary>Publishes a new version when the fetch state changed: persist new keys, push to every subscriber.</summary>
    private async Task<ProviderKeysView> PublishAsync()
    {
        var state = _cache!.GetState(_source!.ProviderId);
        var keys = _cache.GetKeys(_source.ProviderId);
        var current = new ProviderKeysView(
            _source.ToView(),
            0,
            keys?.Keys.Document,
            keys?.FetchedAt,
            state?.LastError,
            state?.LastFailureAt,
            state?.NextRefreshAt ?? DateTimeOffset.MinValue,
            state?.FetchCount ?? 0);
        if (_published is not null && _published with { Version = 0 } == current)
        {
            return _published;
        }

        // Versions order views across activations too (a re-activated grain must not publish "older" numbers):
        // time-based, strictly increasing within an activation.
        var version = Math.Max((_published?.Version ?? 0) + 1, _time.GetUtcNow().UtcTicks);
        _published = current with { Version = version };
        if (keys is { } fetched && fetched.FetchedAt != _persistedFetchedAt && fetched.Keys.Document is { } document)
        {
            await PersistAsync(document, fetched.FetchedAt, state!.NextRefreshAt);
        }

        var pushed = _published;
        // One-way calls: this completes without waiting for any silo; a subscriber that fails is dropped.
        await _observers.Notify(o => o.KeysChanged(pushed));
        return _published;
    }

    private async Task PersistAsync(string document, DateTimeOffset fetchedAt, DateTimeOffset nextRefreshAt)
    {
        var source = _source!;
        _state.State.Source = source.ToView();
        _state.State.Jwks = document;
        _state.State.FetchedAt = fetchedAt;
        _state.State.NextRefreshAt = nextRefreshAt;
        try
        {
            await _state.WriteStateAsync();
            _persistedFetchedAt = fetchedAt;
        }
        catch (Exception ex)
        {
            // The keys are served from memory either way; the next successful fetch tries again.
            Log.PersistFailed(_logger, source.ProviderId, ex.GetType().Name, ex.Message);
            if (ex is InconsistentStateException)
            {
                await _state.ReadStateAsync();
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = GrainEventIds.ProviderKeysPersistFailed, Level = LogLevel.Warning,
            Message = "Provider {ProviderId}: the last good keys could not be persisted ({ExceptionType}: {ExceptionMessage})")]
        public static partial void PersistFailed(ILogger logger, string providerId, string exceptionType, string exceptionMessage);

        [LoggerMessage(EventId = GrainEventIds.ProviderKeysPersistedIgnored, Level = LogLevel.Information,
            Message = "Provider {ProviderId}: persisted keys not used ({Reason})")]
        public static partial void PersistedKeysIgnored(ILogger logger, string providerId, string reason);
    }
}
