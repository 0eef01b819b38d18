using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using WorkloadFederation.Federation.Model;
using WorkloadFederation.Federation.Store;
using WorkloadFederation.Federation.Telemetry;

namespace WorkloadFederation.Federation.Audit;

/// <summary>Records audit events without blocking the request (DESIGN.md "audit buffer (batched, async)").</summary>
public interface IAuditSink
{
    /// <summary>Queues <paramref name="auditEvent"/>; never blocks and never throws.</summary>
    void Record(AuditEvent auditEvent);
}

/// <summary>
/// Holds token requests while the audit log cannot keep up (<see cref="AuditOverflow.BackPressure"/>), so that no
/// decision is made that could not be audited. The token endpoint asks before it decides anything.
/// </summary>
public interface IAuditBackPressure
{
    /// <summary>
    /// Completes with true at once while the buffer has room; otherwise waits for the writer to catch up, and
    /// completes with false when it has not within <see cref="AuditOptions.BackPressureTimeout"/> (the caller refuses
    /// the request as temporarily unavailable). Always true in <see cref="AuditOverflow.DropAndCount"/> mode.
    /// </summary>
    ValueTask<bool> WaitForRoomAsync(CancellationToken cancellationToken);
}

/// <summary>What the audit writer does when the store cannot keep up with the decisions.</summary>
public enum AuditOverflow
{
    /// <summary>
    /// The default: token requests wait (up to <see cref="AuditOptions.BackPressureTimeout"/>, then are refused as
    /// temporarily unavailable) until the backlog is below <see cref="AuditOptions.Capacity"/> and no unwritten event
    /// is older than <see cref="AuditOptions.FlushInterval"/>. No event is ever dropped.
    /// </summary>
    BackPressure,

    /// <summary>
    /// An explicit operator choice: requests never wait on audit; once <see cref="AuditOptions.Capacity"/> events are
    /// buffered, new events are dropped and counted (<c>wif.audit.dropped</c>, a warning in the log).
    /// </summary>
    DropAndCount,
}

/// <summary>Options of <see cref="AuditWriter"/> (configuration section <c>Audit</c>).</summary>
public sealed record AuditOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Audit";

    /// <summary>What happens when the store cannot keep up (default <see cref="AuditOverflow.BackPressure"/>).</summary>
    public AuditOverflow WhenFull { get; init; } = AuditOverflow.BackPressure;

    /// <summary>
    /// Unwritten events held in memory: above it token requests wait (back-pressure) or new events are dropped
    /// (drop and count).
    /// </summary>
    public int Capacity { get; init; } = 50_000;

    /// <summary>
    /// The longest an event may wait in memory before back-pressure holds new requests: together with the writer
    /// starting the next batch as soon as one commits, this bounds what a crash of the process can lose to the
    /// decisions of the last flush interval (and the requests in flight at that moment).
    /// </summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a token request waits for the audit log before it is refused as temporarily unavailable.</summary>
    public TimeSpan BackPressureTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Events appended per store transaction.</summary>
    public int MaxBatchSize { get; init; } = 2_000;

    /// <summary>Delay before retrying a failed append.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Every problem (empty when valid), each naming its key and limits.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (!Enum.IsDefined(WhenFull))
        {
            problems.Add($"Audit:WhenFull must be '{AuditOverflow.BackPressure}' or '{AuditOverflow.DropAndCount}'");
        }

        if (Capacity is < 1 or > 10_000_000)
        {
            problems.Add($"Audit:Capacity must be between 1 and 10000000 (is {Capacity})");
        }

        if (MaxBatchSize is < 1 or > 10_000)
        {
            problems.Add($"Audit:MaxBatchSize must be between 1 and 10000 (is {MaxBatchSize})");
        }

        if (FlushInterval < TimeSpan.FromMilliseconds(10) || FlushInterval > TimeSpan.FromMinutes(10))
        {
            problems.Add($"Audit:FlushInterval must be between 00:00:00.010 and 00:10:00 (is {FlushInterval})");
        }

        if (BackPressureTimeout <= TimeSpan.Zero || BackPressureTimeout > TimeSpan.FromMinutes(1))
        {
            problems.Add($"Audit:BackPressureTimeout must be positive and at most 00:01:00 (is {BackPressureTimeout})");
        }

        if (RetryDelay <= TimeSpan.Zero)
        {
            problems.Add("Audit:RetryDelay must be positive");
        }

        return problems;
    }
}

/// <summary>
/// The audit buffer and its background writer. <see cref="Record"/> puts an event in an in-memory channel;
/// <see cref="RunAsync"/> appends batches to <see cref="IAuditStore"/>, starting the next batch as soon as one
/// commits (so batches grow with the load and one transaction carries many events); <see cref="FlushAsync"/> writes
/// everything still buffered (called on graceful shutdown, so a clean stop loses none).
/// <para>
/// When the store cannot keep up, the default <see cref="AuditOverflow.BackPressure"/> holds new token requests at
/// <see cref="WaitForRoomAsync"/> rather than let a decision go unaudited: the token endpoint slows to the rate the
/// store sustains, and refuses (temporarily unavailable) only requests that waited longer than
/// <see cref="AuditOptions.BackPressureTimeout"/>. Events recorded anyway (admin changes, requests admitted just
/// before the limit) are never dropped. <see cref="AuditOverflow.DropAndCount"/> is the operator's explicit choice
/// of availability over completeness: the buffer is bounded and new events are dropped and counted when it is full.
/// </para>
/// <para>
/// What a crash (SIGKILL, power loss) loses is what is in memory: at most the events recorded within the last
/// <see cref="AuditOptions.FlushInterval"/>, because back-pressure admits no request while an older event is unwritten.
/// </para>
/// </summary>
public sealed class AuditWriter : IAuditSink, IAuditBackPressure
{
    private readonly Channel<Queued> _channel;
    private readonly IAuditStore _store;
    private readonly AuditOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly long _flushIntervalTicks;

    // The batch being written, reused from one batch to the next (the store does not keep it).
    private readonly List<AuditEvent> _batch = [];
    private bool _batchPending;
    private TaskCompletionSource _progress = NewProgress();
    private long _inFlightSince = long.MaxValue;
    private long _unwritten;
    private long _dropped;
    private long _written;
    private int _droppedSinceLog;

    /// <summary>Creates the writer.</summary>
    public AuditWriter(IAuditStore store, AuditOptions options, TimeProvider time, ILogger<AuditWriter> logger)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("invalid audit options: " + string.Join("; ", problems), nameof(options));
        }

        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _flushIntervalTicks = (long)(options.FlushInterval.TotalSeconds * time.TimestampFrequency);
        _channel = options.WhenFull == AuditOverflow.DropAndCount
            ? Channel.CreateBounded<Queued>(new BoundedChannelOptions(options.Capacity)
            {
                FullMode = BoundedChannelFullMode.Wait, // TryWrite then fails instead of evicting: we count what we drop
                SingleReader = true,
                SingleWriter = false,
            })
            // Back-pressure bounds the backlog at admission instead; an event that is recorded is always kept.
            : Channel.CreateUnbounded<Queued>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = false });
    }

    /// <summary>Events dropped: buffer full in drop-and-count mode, refused by the store as invalid, or recorded after <see cref="Complete"/>.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Events appended to the store.</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Events waiting in memory (including a batch being written).</summary>
    public int Buffered => (int)Math.Min(int.MaxValue, Interlocked.Read(ref _unwritten));

    /// <inheritdoc />
    public void Record(AuditEvent auditEvent)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        Interlocked.Increment(ref _unwritten);
        if (_channel.Writer.TryWrite(new Queued(auditEvent, _time.GetTimestamp())))
        {
            return;
        }

        Interlocked.Decrement(ref _unwritten);
        Interlocked.Increment(ref _dropped);
        FederationTelemetry.AuditDropped.Add(1);
        if (Interlocked.Increment(ref _droppedSinceLog) == 1)
        {
            Log.AuditDropped(_logger, _options.Capacity);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> WaitForRoomAsync(CancellationToken cancellationToken)
    {
        if (_options.WhenFull == AuditOverflow.DropAndCount || HasRoom())
        {
            return ValueTask.FromResult(true);
        }

        return new ValueTask<bool>(WaitForProgressAsync(cancellationToken));
    }

    /// <summary>Stops accepting events (later ones are dropped and counted). Call before the final flush.</summary>
    public void Complete()
    {
        _channel.Writer.TryComplete();
        SignalProgress(); // waiting requests re-check, and are refused once the deadline passes
    }

    /// <summary>
    /// Appends batches until cancelled. Failed appends are kept and retried; a batch in flight when cancellation is
    /// requested still completes, and <see cref="FlushAsync"/> writes the rest.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (!_batchPending && !await _channel.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    return; // completed and drained
                }

                await DrainAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                Log.AuditWriteFailed(_logger, ex, _batchPending ? _batch.Count : 0);
                try
                {
                    await Task.Delay(_options.RetryDelay, _time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Writes every buffered event now (graceful shutdown, tests). Throws when the store fails.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await DrainAsync(cancellationToken).ConfigureAwait(false);
        Log.AuditFlushed(_logger, Written, Dropped);
    }

    private static TaskCompletionSource NewProgress() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private bool HasRoom()
    {
        if (Interlocked.Read(ref _unwritten) >= _options.Capacity)
        {
            return false;
        }

        // The oldest unwritten event is the first of the batch in flight, else the head of the channel.
        var oldest = Interlocked.Read(ref _inFlightSince);
        if (oldest == long.MaxValue && _channel.Reader.TryPeek(out var head))
        {
            oldest = head.RecordedAt;
        }

        return oldest == long.MaxValue || _time.GetTimestamp() - oldest <= _flushIntervalTicks;
    }

    private async Task<bool> WaitForProgressAsync(CancellationToken cancellationToken)
    {
        FederationTelemetry.AuditBackPressureWaits.Add(1);
        var started = _time.GetTimestamp();
        while (true)
        {
            var progress = Volatile.Read(ref _progress).Task;
            if (HasRoom())
            {
                return true;
            }

            var remaining = _options.BackPressureTimeout - _time.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero || _channel.Reader.Completion.IsCompleted)
            {
                FederationTelemetry.AuditBackPressureRefusals.Add(1);
                Log.AuditBackPressureTimeout(_logger, _options.BackPressureTimeout, Buffered);
                return false;
            }

            try
            {
                // Re-check at least every flush interval: an event can age out of the window without a commit.
                var step = remaining < _options.FlushInterval ? remaining : _options.FlushInterval;
                await progress.WaitAsync(step, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Loop: re-check room and the deadline.
            }
        }
    }

    private void SignalProgress() => Interlocked.Exchange(ref _progress, NewProgress()).TrySetResult();

    /// <summary>Appends the pending batch event by event, removing each from it once written or refused.</summary>
    private async Task AppendOneByOneAsync(CancellationToken cancellationToken)
    {
        // Walked by index and trimmed once: an outage midway leaves the events not yet tried pending, none written twice.
        var done = 0;
        try
        {
            for (; done < _batch.Count; done++)
            {
                var next = _batch[done];
                try
                {
                    await _store.AppendAsync([next], cancellationToken).ConfigureAwait(false);
                    Interlocked.Increment(ref _written);
                    FederationTelemetry.AuditWritten.Add(1);
                }
                catch (ArgumentException ex)
                {
                    Interlocked.Increment(ref _dropped);
                    FederationTelemetry.AuditDropped.Add(1);
                    Log.AuditEventRejected(_logger, ex, next.Type, next.Reason);
                }

                Interlocked.Decrement(ref _unwritten);
            }
        }
        finally
        {
            _batch.RemoveRange(0, done);
        }
    }

    private async Task DrainAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            while (true)
            {
                if (!_batchPending)
                {
                    _batch.Clear();
                    var since = long.MaxValue;
                    while (_batch.Count < _options.MaxBatchSize && _channel.Reader.TryRead(out var item))
                    {
                        since = Math.Min(since, item.RecordedAt);
                        _batch.Add(item.Event);
                    }

                    if (_batch.Count == 0)
                    {
                        return;
                    }

                    Interlocked.Exchange(ref _inFlightSince, since);
                    _batchPending = true;
                }

                try
                {
                    await _store.AppendAsync(_batch, cancellationToken).ConfigureAwait(false);
                    Interlocked.Add(ref _written, _batch.Count);
                    FederationTelemetry.AuditWritten.Add(_batch.Count);
                    Interlocked.Add(ref _unwritten, -_batch.Count);
                }
                catch (ArgumentException)
                {
                    // The store refuses something in the batch itself — not an outage. Retrying the same batch could
                    // never succeed and would stop all auditing, so write the events one by one and drop only those
                    // it refuses. An outage midway keeps the rest pending, without writing any event twice.
                    await AppendOneByOneAsync(cancellationToken).ConfigureAwait(false);
                }

                _batch.Clear();
                _batchPending = false;
                Interlocked.Exchange(ref _inFlightSince, long.MaxValue);
                Interlocked.Exchange(ref _droppedSinceLog, 0);
                SignalProgress();
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>An event and the moment it was recorded (what the flush interval is measured from).</summary>
    private readonly record struct Queued(AuditEvent Event, long RecordedAt);
}
