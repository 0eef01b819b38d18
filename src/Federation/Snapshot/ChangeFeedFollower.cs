using System.Diagnostics;
using Microsoft.Extensions.Logging;
using WorkloadFederation.Federation.Store;
using WorkloadFederation.Federation.Telemetry;

namespace WorkloadFederation.Federation.Snapshot;

/// <summary>Options of <see cref="ChangeFeedFollower"/>.</summary>
public sealed record ChangeFeedOptions
{
    /// <summary>
    /// The longest wait for a change notification before polling the store version (heals a missed NOTIFY;
    /// bounds how late a change is seen when notifications are lost).
    /// </summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Changes read per request.</summary>
    public int BatchSize { get; init; } = 500;

    /// <summary>First delay after a store failure; doubles up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Longest delay between retries after store failures.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the signing key ring is rebuilt for the passage of time (retired keys leave the JWKS).</summary>
    public TimeSpan SigningKeyRefreshInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Every problem (empty when valid).</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (PollInterval < TimeSpan.FromMilliseconds(10) || PollInterval > TimeSpan.FromSeconds(30))
        {
            problems.Add("PollInterval must be between 10 ms and 30 s");
        }

        if (BatchSize is < 1 or > 10_000)
        {
            problems.Add("BatchSize must be between 1 and 10000");
        }

        if (RetryDelay <= TimeSpan.Zero || MaxRetryDelay < RetryDelay)
        {
            problems.Add("RetryDelay must be positive and not above MaxRetryDelay");
        }

        return problems;
    }
}

/// <summary>
/// Keeps <see cref="SnapshotHolder"/> in step with the store (DESIGN.md "Change feed"): loads the whole configuration
/// once (readiness), then waits for change notifications (or the poll interval), compares store versions, and applies
/// the changes incrementally. A gap or an unappliable change falls back to a full reload. Store failures are retried
/// with back-off; the last good snapshot keeps serving meanwhile.
/// </summary>
public sealed class ChangeFeedFollower
{
    private readonly IConfigurationStore _store;
    private readonly SnapshotCompiler _compiler;
    private readonly SnapshotHolder _holder;
    private readonly ChangeFeedOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private DateTimeOffset _lastKeyRefresh;

    /// <summary>Creates the follower.</summary>
    public ChangeFeedFollower(
        IConfigurationStore store,
        SnapshotCompiler compiler,
        SnapshotHolder holder,
        ChangeFeedOptions options,
        TimeProvider time,
        ILogger<ChangeFeedFollower> logger)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _compiler = compiler ?? throw new ArgumentNullException(nameof(compiler));
        _holder = holder ?? throw new ArgumentNullException(nameof(holder));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("invalid change feed options: " + string.Join("; ", problems), nameof(options));
        }

        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>True once the first snapshot is loaded.</summary>
    public bool IsReady => _holder.IsReady;

    /// <summary>Loads the whole configuration and publishes it.</summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await LoadLockedAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Follows the change feed until cancelled. Never throws except for cancellation; failures are logged and retried.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var delay = _options.RetryDelay;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (!_holder.IsReady)
                {
                    await LoadAsync(cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await _store.WaitForChangeAsync(_options.PollInterval, cancellationToken).ConfigureAwait(false);
                    await SyncAsync(cancellationToken).ConfigureAwait(false);
                }

                delay = _options.RetryDelay;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                Log.SnapshotLoadFailed(_logger, ex, delay.TotalMilliseconds);
                try
                {
                    await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxRetryDelay.Ticks));
            }
        }
    }

    /// <summary>
    /// Brings the snapshot to at least <paramref name="version"/> now (read-your-writes after an admin write on this
    /// node). True when reached.
    /// </summary>
    public async Task<bool> CatchUpAsync(long version, CancellationToken cancellationToken)
    {
        if (_holder.IsReady && _holder.Current.Version >= version)
        {
            return true;
        }

        await SyncAsync(cancellationToken).ConfigureAwait(false);
        return _holder.IsReady && _holder.Current.Version >= version;
    }

    /// <summary>Reads the store version and applies every change up to it (the periodic version poll).</summary>
    public async Task SyncAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_holder.IsReady)
            {
                await LoadLockedAsync(cancellationToken).ConfigureAwait(false);
                return;
            }

            var storeVersion = await _store.GetVersionAsync(cancellationToken).ConfigureAwait(false);
            var current = _holder.Current;
            if (storeVersion > current.Version)
            {
                await ApplyChangesLockedAsync(storeVersion, cancellationToken).ConfigureAwait(false);
            }

            RefreshSigningKeysIfDue();
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task ApplyChangesLockedAsync(long storeVersion, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var current = _holder.Current;
        var applied = 0;
        while (current.Version < storeVersion)
        {
            var batch = await _store.ReadChangesAsync(current.Version, _options.BatchSize, cancellationToken).ConfigureAwait(false);
            if (batch.Changes.Count == 0 && batch.Version <= current.Version)
            {
                // The feed cannot bring us to the version the store reports: reload in full.
                Log.SnapshotGap(_logger, storeVersion, current.Version);
                await LoadLockedAsync(cancellationToken).ConfigureAwait(false);
                return;
            }

            FederationSnapshot next;
            try
            {
                next = current.Apply(batch);
            }
            catch (SnapshotApplyException ex)
            {
                Log.SnapshotApplyFailed(_logger, ex);
                await LoadLockedAsync(cancellationToken).ConfigureAwait(false);
                return;
            }

            _holder.Publish(next);
            current = next;
            applied += batch.Changes.Count;
            if (batch.Changes.Count < _options.BatchSize && current.Version >= storeVersion)
            {
                break;
            }
        }

        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        FederationTelemetry.SnapshotUpdates.Add(1, new KeyValuePair<string, object?>("kind", "incremental"));
        FederationTelemetry.SnapshotApplyDuration.Record(elapsed);
        Log.SnapshotApplied(_logger, applied, current.Version, elapsed);
    }

    private async Task LoadLockedAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var state = await _store.LoadAsync(cancellationToken).ConfigureAwait(false);
        var snapshot = _compiler.Build(state);
        _holder.Publish(snapshot);
        _lastKeyRefresh = _time.GetUtcNow();
        FederationTelemetry.SnapshotUpdates.Add(1, new KeyValuePair<string, object?>("kind", "full"));
        foreach (var problem in snapshot.SigningKeys.Problems)
        {
            Log.SigningKeyProblem(_logger, problem);
        }

        Log.SnapshotLoaded(
            _logger, snapshot.Version, state.Tenants.Count, state.Trusts.Count, state.Credentials.Count,
            Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    private void RefreshSigningKeysIfDue()
    {
        var now = _time.GetUtcNow();
        if (now - _lastKeyRefresh < _options.SigningKeyRefreshInterval)
        {
            return;
        }

        _lastKeyRefresh = now;
        var current = _holder.Current;
        var due = current.SigningKeys.PublishedKeyIds.Any(id =>
            current.SigningKeys.TryGetKey(id, out var key) && key.PublishedUntil is { } until && until <= now);
        if (due)
        {
            _holder.Publish(_compiler.RefreshSigningKeys(current));
        }
    }
}
