using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging;
using WorkloadFederation.Federation.Jwt;
using WorkloadFederation.Federation.ProviderKeys;
using WorkloadFederation.Grains.Abstractions.ProviderKeys;

namespace WorkloadFederation.Grains.ProviderKeys;

/// <summary>
/// This silo's views of provider keys, the <see cref="IProviderKeyCache"/> of a silo: a known key is answered from the
/// local immutable view without I/O or a grain call; a miss (first use, an unknown <c>kid</c>) asks the provider's
/// grain, one call per provider at a time (single-flight) and, for unknown <c>kid</c>s, at most once per
/// <see cref="ProviderKeyOptions.UnknownKeyRefetchInterval"/>. The grain pushes new versions; the resubscribe loop
/// (<see cref="RunAsync"/>) renews every subscription, refreshes every view from the answer and drops idle views;
/// a view older than <see cref="ProviderViewOptions.ViewTtl"/> is refreshed on use even when every push was lost.
/// </summary>
public sealed partial class ProviderKeyViews : IProviderKeyCache, IProviderKeysObserver
{
    private readonly ConcurrentDictionary<string, Slot> _slots = new(StringComparer.Ordinal);
    private readonly IGrainFactory _grains;
    private readonly ProviderKeyOptions _options;
    private readonly ProviderViewOptions _viewOptions;
    private readonly TimeProvider _time;
    private readonly ILogger<ProviderKeyViews> _logger;
    private readonly Lazy<IProviderKeysObserver> _observer;

    /// <summary>Views fetched through <paramref name="grains"/>, parsed under <paramref name="options"/>' JWKS limits.</summary>
    public ProviderKeyViews(IGrainFactory grains, ProviderKeyOptions options, ProviderViewOptions viewOptions, TimeProvider time, ILogger<ProviderKeyViews> logger)
    {
        ArgumentNullException.ThrowIfNull(viewOptions);
        var problems = viewOptions.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid provider view options: " + string.Join(" ", problems), nameof(viewOptions));
        }

        _grains = grains;
        _options = options;
        _viewOptions = viewOptions;
        _time = time;
        _logger = logger;
        _observer = new Lazy<IProviderKeysObserver>(() => _grains.CreateObjectReference<IProviderKeysObserver>(this));
    }

    /// <summary>How many providers this silo holds a view of.</summary>
    public int Count => _slots.Count;

    /// <inheritdoc />
    public ValueTask<ProviderKeyResult> ResolveAsync(ProviderKeySource source, string? kid, string alg, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(alg);
        var now = _time.GetUtcNow();
        var slot = SlotFor(source);
        slot.Touch(now);
        var current = slot.Current;
        if (current?.Usable(now, _options.MaxStaleness) is { } keys)
        {
            var lookup = keys.Find(kid, alg);
            if (lookup.Status != KeyLookupStatus.NotFound)
            {
                if (now - current.ReceivedAt > _viewOptions.ViewTtl)
                {
                    _ = RefreshAsync(slot);
                }

                return ValueTask.FromResult(ProviderKeyLookup.ToResult(lookup, keys));
            }
        }

        return ResolveSlowAsync(slot, kid, alg, now, cancellationToken);
    }

    private async ValueTask<ProviderKeyResult> ResolveSlowAsync(Slot slot, string? kid, string alg, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var known = slot.Current?.Usable(now, _options.MaxStaleness) is not null;
        var call = known
            ? slot.StartOrJoin(() => Grain(slot.Source).ResolveUnknownKeyAsync(slot.Source.ToView(), kid, alg), now, _options.UnknownKeyRefetchInterval)
            : Subscribe(slot, now);
        await TakeAsync(slot, call, cancellationToken).ConfigureAwait(false);

        var current = slot.Current;
        if (current?.Usable(_time.GetUtcNow(), _options.MaxStaleness) is not { } keys)
        {
            return ProviderKeyResult.Unavailable(current?.UnavailableDetail() ?? slot.UnavailableDetail());
        }

        return ProviderKeyLookup.Resolve(keys, kid, alg, current.View.LastError);
    }

    /// <inheritdoc />
    public void Prefetch(ProviderKeySource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var slot = SlotFor(source);
        slot.Touch(_time.GetUtcNow());
        if (slot.Current is null)
        {
            _ = RefreshAsync(slot);
        }
    }

    /// <inheritdoc />
    public void Invalidate(string providerId)
    {
        if (_slots.TryRemove(providerId, out var slot))
        {
            _ = UnsubscribeAsync(slot);
        }
    }

    /// <inheritdoc />
    public ProviderKeyState? GetState(string providerId)
    {
        if (!_slots.TryGetValue(providerId, out var slot) || slot.Current is not { } current)
        {
            return null;
        }

        var view = current.View;
        return new ProviderKeyState(
            providerId,
            current.Keys?.Keys.Count ?? 0,
            current.Keys is { } keys ? ProviderKeyLookup.KeyIds(keys) : [],
            current.Keys?.Skipped ?? [],
            view.FetchedAt,
            view.LastFailureAt,
            view.LastError,
            view.NextRefreshAt,
            view.FetchCount);
    }

    /// <summary>How long ago this silo last received (or had confirmed) a provider's view, or null (diagnostics).</summary>
    public TimeSpan? GetViewAge(string providerId) =>
        _slots.TryGetValue(providerId, out var slot) && slot.Current is { } current ? _time.GetUtcNow() - current.ReceivedAt : null;

    /// <summary>The view version this silo holds for a provider, or null (tests and diagnostics).</summary>
    public long? GetVersion(string providerId) => _slots.TryGetValue(providerId, out var slot) ? slot.Current?.View.Version : null;

    /// <inheritdoc />
    public async Task RefreshDueAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var renewals = new List<Task>();
        foreach (var (providerId, slot) in _slots)
        {
            if (now - slot.LastUsed > _viewOptions.IdleEviction)
            {
                if (_slots.TryRemove(new KeyValuePair<string, Slot>(providerId, slot)))
                {
                    Log.ViewEvicted(_logger, providerId);
                    renewals.Add(UnsubscribeAsync(slot));
                }

                continue;
            }

            renewals.Add(RefreshAsync(slot));
        }

        await Task.WhenAll(renewals).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_viewOptions.ResubscribeInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                await RefreshDueAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Host shutdown.
        }
    }

    /// <inheritdoc />
    Task IProviderKeysObserver.KeysChanged(ProviderKeysView view)
    {
        if (view is not null && _slots.TryGetValue(view.Source.ProviderId, out var slot))
        {
            Apply(slot, view);
        }

        return Task.CompletedTask;
    }

    private IProviderKeysGrain Grain(ProviderKeySource source) =>
        _grains.GetGrain<IProviderKeysGrain>(ProviderKeysGrainKey.For(source.Tenant, source.ProviderId));

    /// <summary>Renews the subscription and takes the grain's current view (single-flight with other calls).</summary>
    private Task RefreshAsync(Slot slot) => TakeAsync(slot, Subscribe(slot, _time.GetUtcNow()), CancellationToken.None);

    private Task<ProviderKeysView>? Subscribe(Slot slot, DateTimeOffset now) =>
        slot.StartOrJoin(() => Grain(slot.Source).SubscribeAsync(slot.Source.ToView(), _observer.Value), now, null);

    /// <summary>Applies the answer of <paramref name="call"/> (if any); a failed call leaves the view as it is.</summary>
    private async Task TakeAsync(Slot slot, Task<ProviderKeysView>? call, CancellationToken cancellationToken)
    {
        if (call is null)
        {
            return;
        }

        try
        {
            Apply(slot, await call.WaitAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The cluster cannot answer (the grain's silo died, a timeout): keep serving what the view holds.
            Log.GrainCallFailed(_logger, slot.Source.ProviderId, ex.GetType().Name);
            slot.CallFailed(ex.GetType().Name);
        }
    }

    private async Task UnsubscribeAsync(Slot slot)
    {
        try
        {
            await Grain(slot.Source).UnsubscribeAsync(_observer.Value).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The subscription lapses by itself after its expiry.
            Log.GrainCallFailed(_logger, slot.Source.ProviderId, ex.GetType().Name);
        }
    }

    private void Apply(Slot slot, ProviderKeysView view)
    {
        if (!view.Source.SameAs(slot.Source))
        {
            Log.PushRejected(_logger, slot.Source.ProviderId, "the view is of another issuer or JWKS URI");
            return;
        }

        var previous = slot.Current;
        JsonWebKeySet? keys = null;
        if (view.Jwks is { } document)
        {
            if (previous?.View.Jwks == document)
            {
                keys = previous.Keys;
            }
            else if (JsonWebKeySet.TryParse(Encoding.UTF8.GetBytes(document), _options.Jwks, out var parsed, out var error))
            {
                keys = parsed;
            }
            else
            {
                Log.PushRejected(_logger, slot.Source.ProviderId, error ?? "invalid JWKS");
                return;
            }
        }

        slot.Offer(new SlotView(view, keys, _time.GetUtcNow()));
    }

    private Slot SlotFor(ProviderKeySource source)
    {
        while (true)
        {
            var slot = _slots.GetOrAdd(source.ProviderId, static (_, s) => new Slot(s), source);
            if (slot.Source == source)
            {
                return slot;
            }

            // The provider's issuer, JWKS URI or development flag changed: the old view must not be used.
            _slots.TryUpdate(source.ProviderId, new Slot(source), slot);
        }
    }

    /// <summary>One immutable version of a provider's view, as received.</summary>
    private sealed record SlotView(ProviderKeysView View, JsonWebKeySet? Keys, DateTimeOffset ReceivedAt)
    {
        public JsonWebKeySet? Usable(DateTimeOffset now, TimeSpan maxStaleness) =>
            Keys is not null && View.FetchedAt is { } fetchedAt && now - fetchedAt <= maxStaleness ? Keys : null;

        public string UnavailableDetail() => View.LastError is { } error
            ? "The provider's keys cannot be fetched: " + error
            : "The provider's keys have not been fetched yet.";
    }

    /// <summary>A provider's current view and the one grain call in flight for it.</summary>
    private sealed class Slot(ProviderKeySource source)
    {
        private readonly Lock _gate = new();
        private volatile SlotView? _current;
        private Task<ProviderKeysView>? _inFlight;
        private DateTimeOffset _lastUnknownKeyCall = DateTimeOffset.MinValue;
        private long _lastUsedTicks;
        private string? _lastCallError;

        public ProviderKeySource Source { get; } = source;

        public SlotView? Current => _current;

        public DateTimeOffset LastUsed => new(Interlocked.Read(ref _lastUsedTicks), TimeSpan.Zero);

        /// <summary>Records a use; written at most about once a second so that requests do not contend on it.</summary>
        public void Touch(DateTimeOffset now)
        {
            if (now.UtcTicks - Interlocked.Read(ref _lastUsedTicks) > TimeSpan.TicksPerSecond)
            {
                Interlocked.Exchange(ref _lastUsedTicks, now.UtcTicks);
            }
        }

        /// <summary>
        /// Joins the call in flight or starts one; with a <paramref name="minInterval"/> (unknown-kid calls) a new call
        /// is started at most once per interval; in between, the last call (complete) or null is returned.
        /// </summary>
        public Task<ProviderKeysView>? StartOrJoin(Func<Task<ProviderKeysView>> call, DateTimeOffset now, TimeSpan? minInterval)
        {
            lock (_gate)
            {
                if (_inFlight is { IsCompleted: false } running)
                {
                    return running;
                }

                if (minInterval is { } interval)
                {
                    if (now - _lastUnknownKeyCall < interval)
                    {
                        // Rate-limited: the last call's answer (already complete) may not be applied yet by its own
                        // caller, so hand it out again; applying a version twice is harmless.
                        return _inFlight;
                    }

                    _lastUnknownKeyCall = now;
                }

                _inFlight = call();
                return _inFlight;
            }
        }

        /// <summary>Takes <paramref name="view"/> unless a newer version is held already.</summary>
        public void Offer(SlotView view)
        {
            lock (_gate)
            {
                if (_current is null || view.View.Version > _current.View.Version)
                {
                    _current = view;
                }
                else if (view.View.Version == _current.View.Version)
                {
                    // The same version again (a renewal): it proves the view current, so its age restarts.
                    _current = _current with { ReceivedAt = view.ReceivedAt };
                }

                _lastCallError = null;
            }
        }

        public void CallFailed(string error)
        {
            lock (_gate)
            {
                _lastCallError = error;
            }
        }

        public string UnavailableDetail()
        {
            lock (_gate)
            {
                return _lastCallError is null
                    ? "The provider's keys have not been fetched yet."
                    : $"The provider's keys cannot be obtained from the cluster ({_lastCallError}).";
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = GrainEventIds.ProviderViewGrainCallFailed, Level = LogLevel.Warning,
            Message = "Provider {ProviderId}: the provider grain could not be reached ({ExceptionType}); serving the view held")]
        public static partial void GrainCallFailed(ILogger logger, string providerId, string exceptionType);

        [LoggerMessage(EventId = GrainEventIds.ProviderViewPushRejected, Level = LogLevel.Warning,
            Message = "Provider {ProviderId}: a view was not taken ({Reason})")]
        public static partial void PushRejected(ILogger logger, string providerId, string reason);

        [LoggerMessage(EventId = GrainEventIds.ProviderViewEvicted, Level = LogLevel.Debug,
            Message = "Provider {ProviderId}: idle view dropped")]
        public static partial void ViewEvicted(ILogger logger, string providerId);
    }
}
