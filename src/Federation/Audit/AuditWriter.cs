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

/// <summary>Options of <see cref="AuditWriter"/>.</summary>
public sealed record AuditOptions
{
    /// <summary>Events held in memory before new ones are dropped (and counted).</summary>
    public int Capacity { get; init; } = 50_000;

    /// <summary>Events appended per store transaction.</summary>
    public int MaxBatchSize { get; init; } = 500;

    /// <summary>Delay before retrying a failed append.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Every problem (empty when valid).</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (Capacity is < 1 or > 10_000_000)
        {
            problems.Add("Capacity must be between 1 and 10000000");
        }

        if (MaxBatchSize is < 1 or > 10_000)
        {
            problems.Add("MaxBatchSize must be between 1 and 10000");
        }

        if (RetryDelay <= TimeSpan.Zero)
        {
            problems.Add("RetryDelay must be positive");
        }

        return problems;
    }
}

/// <summary>
/// The audit buffer and its background writer. <see cref="Record"/> puts an event in a bounded in-memory channel;
/// <see cref="RunAsync"/> appends batches to <see cref="IAuditStore"/>; <see cref="FlushAsync"/> writes everything
/// still buffered (called on graceful shutdown, so a clean stop loses none).
/// <para>
/// When the buffer is full (the store has been unreachable for a long time), the token decision still completes and
/// the event is dropped: <see cref="Dropped"/> and the <c>wif.audit.dropped</c> counter record it, and a warning is
/// logged. Blocking requests on audit would turn a store outage into a full outage of the token endpoint, which the
/// hot path is designed to avoid (DESIGN.md "Hot path touches no database"); the counter makes the loss visible and
/// alertable.
/// </para>
/// </summary>
public sealed class AuditWriter : IAuditSink
{
    private readonly Channel<AuditEvent> _channel;
    private readonly IAuditStore _store;
    private readonly AuditOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private List<AuditEvent>? _pending;
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
        _channel = Channel.CreateBounded<AuditEvent>(new BoundedChannelOptions(options.Capacity)
        {
            FullMode = BoundedChannelFullMode.Wait, // TryWrite then fails instead of evicting: we count what we drop
            SingleReader = true,
            SingleWriter = false,
        });
    }

    /// <summary>Events dropped because the buffer was full (or recorded after <see cref="Complete"/>).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Events appended to the store.</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Events waiting in memory.</summary>
    public int Buffered => _channel.Reader.CanCount ? _channel.Reader.Count : -1;

    /// <inheritdoc />
    public void Record(AuditEvent auditEvent)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        if (_channel.Writer.TryWrite(auditEvent))
        {
            return;
        }

        Interlocked.Increment(ref _dropped);
        FederationTelemetry.AuditDropped.Add(1);
        if (Interlocked.Increment(ref _droppedSinceLog) == 1)
        {
            Log.AuditDropped(_logger, _options.Capacity);
        }
    }

    /// <summary>Stops accepting events (later ones are dropped and counted). Call before the final flush.</summary>
    public void Complete() => _channel.Writer.TryComplete();

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
                if (_pending is null && !await _channel.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
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
                Log.AuditWriteFailed(_logger, ex, _pending?.Count ?? 0);
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

    /// <summary>Appends <paramref name="batch"/> event by event, removing each from it once written or refused.</summary>
    private async Task AppendOneByOneAsync(List<AuditEvent> batch, CancellationToken cancellationToken)
    {
        while (batch.Count > 0)
        {
            var next = batch[0];
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

            batch.RemoveAt(0);
        }
    }

    private async Task DrainAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            while (true)
            {
                if (_pending is null)
                {
                    var batch = new List<AuditEvent>(Math.Min(_options.MaxBatchSize, 64));
                    while (batch.Count < _options.MaxBatchSize && _channel.Reader.TryRead(out var item))
                    {
                        batch.Add(item);
                    }

                    if (batch.Count == 0)
                    {
                        return;
                    }

                    _pending = batch;
                }

                try
                {
                    await _store.AppendAsync(_pending, cancellationToken).ConfigureAwait(false);
                }
                catch (ArgumentException)
                {
                    // The store refuses something in the batch itself — not an outage. Retrying the same batch could
                    // never succeed and would stop all auditing, so write the events one by one and drop only those
                    // it refuses. An outage midway keeps the rest pending, without writing any event twice.
                    await AppendOneByOneAsync(_pending, cancellationToken).ConfigureAwait(false);
                }

                Interlocked.Add(ref _written, _pending.Count);
                FederationTelemetry.AuditWritten.Add(_pending.Count);
                _pending = null;
                Interlocked.Exchange(ref _droppedSinceLog, 0);
            }
        }
        finally
        {
            _gate.Release();
        }
    }
}
