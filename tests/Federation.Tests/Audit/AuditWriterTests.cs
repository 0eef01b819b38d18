using Microsoft.Extensions.Logging.Abstractions;
using WorkloadFederation.Federation.Audit;
using WorkloadFederation.Federation.Model;
using WorkloadFederation.Federation.Store;
using Xunit;

namespace WorkloadFederation.Federation.Tests.Audit;

/// <summary>An <see cref="IAuditStore"/> double that records batches and can be made to fail or block.</summary>
public sealed class RecordingAuditStore : IAuditStore
{
    private readonly object _lock = new();
    private readonly List<IReadOnlyList<AuditEvent>> _batches = [];

    public int FailuresToInject { get; set; }

    /// <summary>Events the store refuses as invalid, as the SQL stores do (StoreRefusedException), every time.</summary>
    public Func<AuditEvent, bool>? Refuse { get; set; }

    public TaskCompletionSource? Gate { get; set; }

    /// <summary>Completed with the batch when an append starts waiting on <see cref="Gate"/>.</summary>
    public TaskCompletionSource<IReadOnlyList<AuditEvent>> Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<AuditEvent> Events
    {
        get
        {
            lock (_lock)
            {
                return _batches.SelectMany(b => b).ToList();
            }
        }
    }

    public int BatchCount
    {
        get
        {
            lock (_lock)
            {
                return _batches.Count;
            }
        }
    }

    public async Task AppendAsync(IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken)
    {
        if (Gate is { } gate)
        {
            Entered.TrySetResult([.. events]);
            await gate.Task.WaitAsync(cancellationToken);
        }

        lock (_lock)
        {
            if (FailuresToInject > 0)
            {
                FailuresToInject--;
                throw new InvalidOperationException("store unavailable");
            }

            if (Refuse is { } refuse && events.Any(refuse))
            {
                throw new StoreRefusedException("an event is invalid", new InvalidOperationException("refused by the test store"));
            }

            _batches.Add([.. events]);
        }
    }

    public Task<AuditPage> QueryAsync(string tenant, long after, int limit, CancellationToken cancellationToken) =>
        throw new NotSupportedException("not used by the writer");
}

public sealed class AuditWriterTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private readonly RecordingAuditStore _store = new();

    private AuditWriter NewWriter(
        int capacity = 1000,
        int batch = 100,
        AuditOverflow whenFull = AuditOverflow.BackPressure,
        TimeSpan? flushInterval = null,
        TimeSpan? backPressureTimeout = null) => new(
        _store,
        new AuditOptions
        {
            Capacity = capacity,
            MaxBatchSize = batch,
            RetryDelay = TimeSpan.FromMilliseconds(10),
            WhenFull = whenFull,
            FlushInterval = flushInterval ?? TimeSpan.FromSeconds(1),
            BackPressureTimeout = backPressureTimeout ?? TimeSpan.FromSeconds(5),
        },
        TimeProvider.System,
        NullLogger<AuditWriter>.Instance);

    private static AuditEvent Event(int i) =>
        new TokenDecision(DateTimeOffset.UnixEpoch.AddSeconds(i), null, "10.0.0.1") { Tenant = "acme.example.com", TrustId = $"trust-{i}" }
            .Denied("token_expired", "token expired");

    [Fact]
    public async Task Flush_BufferedEvents_AreAllWrittenInBatchesInOrder()
    {
        var writer = NewWriter(batch: 7);
        for (var i = 0; i < 50; i++)
        {
            writer.Record(Event(i));
        }

        await writer.FlushAsync(default);

        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"trust-{i}"), _store.Events.Select(e => e.TrustId));
        Assert.Equal(8, _store.BatchCount);
        Assert.Equal(50, writer.Written);
    }

    [Fact]
    public async Task Run_RecordedEvents_ReachTheStoreInTheBackground()
    {
        var writer = NewWriter();
        using var stop = new CancellationTokenSource();
        var loop = Task.Run(() => writer.RunAsync(stop.Token));

        for (var i = 0; i < 20; i++)
        {
            writer.Record(Event(i));
        }

        await WaitUntil(() => _store.Events.Count == 20);
        stop.Cancel();
        await loop;
    }

    [Fact]
    public async Task DropAndCount_BufferFull_DoesNotHoldRequestsAndCountsTheDrop()
    {
        var writer = NewWriter(capacity: 5, whenFull: AuditOverflow.DropAndCount);

        for (var i = 0; i < 8; i++)
        {
            Assert.True(writer.WaitForRoomAsync(default).IsCompletedSuccessfully);
            writer.Record(Event(i));
        }

        Assert.Equal(3, writer.Dropped);
        await writer.FlushAsync(default);
        Assert.Equal(5, _store.Events.Count);
    }

    [Fact]
    public async Task BackPressure_BufferFull_HoldsRequestsUntilTheStoreCatchesUpAndDropsNothing()
    {
        _store.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var writer = NewWriter(capacity: 5, batch: 100);
        using var stop = new CancellationTokenSource();
        var loop = Task.Run(() => writer.RunAsync(stop.Token));

        for (var i = 0; i < 5; i++)
        {
            Assert.True(await writer.WaitForRoomAsync(default));
            writer.Record(Event(i));
        }

        // Five unwritten events: the sixth request is held while the store is stuck ...
        var held = writer.WaitForRoomAsync(default).AsTask();
        await Task.Delay(100);
        Assert.False(held.IsCompleted);

        // ... and let through once the batch commits.
        _store.Gate.SetResult();
        Assert.True(await held.WaitAsync(Bound));
        writer.Record(Event(5));
        await WaitUntil(() => _store.Events.Count == 6);
        Assert.Equal(0, writer.Dropped);
        stop.Cancel();
        await loop;
    }

    [Fact]
    public async Task BackPressure_RecordBeyondCapacity_KeepsEveryEvent()
    {
        var writer = NewWriter(capacity: 5);

        // Events recorded without asking (admin changes, requests admitted just before the limit) are never dropped.
        for (var i = 0; i < 12; i++)
        {
            writer.Record(Event(i));
        }

        Assert.Equal(0, writer.Dropped);
        Assert.False(writer.WaitForRoomAsync(default).IsCompleted);
        await writer.FlushAsync(default);
        Assert.Equal(Enumerable.Range(0, 12).Select(i => $"trust-{i}"), _store.Events.Select(e => e.TrustId));
        Assert.True(writer.WaitForRoomAsync(default).IsCompletedSuccessfully);
    }

    [Fact]
    public async Task BackPressure_StoreNeverCatchesUp_RefusesTheRequestAfterTheTimeout()
    {
        _store.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var writer = NewWriter(capacity: 1, backPressureTimeout: TimeSpan.FromMilliseconds(300));
        using var stop = new CancellationTokenSource();
        var loop = Task.Run(() => writer.RunAsync(stop.Token));
        writer.Record(Event(0));

        var started = DateTime.UtcNow;
        Assert.False(await writer.WaitForRoomAsync(default).AsTask().WaitAsync(Bound));
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromMilliseconds(250), Bound);
        Assert.Equal(0, writer.Dropped);

        _store.Gate.SetResult();
        await WaitUntil(() => _store.Events.Count == 1);
        stop.Cancel();
        await loop;
    }

    [Fact]
    public async Task BackPressure_UnwrittenEventOlderThanTheFlushInterval_HoldsRequestsWellBelowCapacity()
    {
        _store.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var writer = NewWriter(capacity: 1000, flushInterval: TimeSpan.FromMilliseconds(50));
        using var stop = new CancellationTokenSource();
        var loop = Task.Run(() => writer.RunAsync(stop.Token));
        writer.Record(Event(0));
        Assert.True(writer.WaitForRoomAsync(default).IsCompletedSuccessfully);

        // One event, stuck in a batch for longer than the flush interval: what a crash would lose now exceeds the
        // bound, so new requests wait even though the buffer is nearly empty.
        await Task.Delay(150);
        var held = writer.WaitForRoomAsync(default).AsTask();
        await Task.Delay(100);
        Assert.False(held.IsCompleted);

        _store.Gate.SetResult();
        Assert.True(await held.WaitAsync(Bound));
        stop.Cancel();
        await loop;
    }

    [Theory]
    [InlineData(0, "Audit:Capacity")]
    [InlineData(-1, "Audit:FlushInterval")]
    [InlineData(-2, "Audit:BackPressureTimeout")]
    [InlineData(-3, "Audit:WhenFull")]
    public void Options_OutOfRange_AreReportedWithTheirName(int which, string expected)
    {
        var options = which switch
        {
            0 => new AuditOptions { Capacity = 0 },
            -1 => new AuditOptions { FlushInterval = TimeSpan.Zero },
            -2 => new AuditOptions { BackPressureTimeout = TimeSpan.FromMinutes(5) },
            _ => new AuditOptions { WhenFull = (AuditOverflow)7 },
        };

        Assert.Contains(options.Validate(), p => p.StartsWith(expected, StringComparison.Ordinal));
        Assert.Empty(new AuditOptions().Validate());
    }

    [Fact]
    public async Task Run_StoreFailsTwice_RetriesWithoutLosingTheBatch()
    {
        _store.FailuresToInject = 2;
        var writer = NewWriter();
        using var stop = new CancellationTokenSource();
        var loop = Task.Run(() => writer.RunAsync(stop.Token));

        for (var i = 0; i < 10; i++)
        {
            writer.Record(Event(i));
        }

        await WaitUntil(() => _store.Events.Count == 10);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"trust-{i}"), _store.Events.Select(e => e.TrustId));
        stop.Cancel();
        await loop;
    }

    [Fact]
    public async Task Run_StoreRefusesOneEventAsInvalid_WritesTheOthersAndCountsOnlyThatOne()
    {
        _store.Refuse = e => e.TrustId == "trust-3";
        _store.FailuresToInject = 1; // an outage first: the batch is kept, then the invalid event is isolated
        var writer = NewWriter(batch: 8);
        using var stop = new CancellationTokenSource();
        var loop = Task.Run(() => writer.RunAsync(stop.Token));

        for (var i = 0; i < 20; i++)
        {
            writer.Record(Event(i));
        }

        await WaitUntil(() => _store.Events.Count == 19);
        Assert.Equal(Enumerable.Range(0, 20).Where(i => i != 3).Select(i => $"trust-{i}"), _store.Events.Select(e => e.TrustId));
        Assert.Equal(1, writer.Dropped);
        Assert.Equal(19, writer.Written);

        // Auditing goes on after the refusal.
        writer.Record(Event(20));
        await WaitUntil(() => _store.Events.Count == 20);
        stop.Cancel();
        await loop;
    }

    [Fact]
    public async Task Shutdown_BatchInFlightThenFlush_LosesNothing()
    {
        _store.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var writer = NewWriter(batch: 3);
        using var stop = new CancellationTokenSource();
        var loop = Task.Run(() => writer.RunAsync(stop.Token));
        for (var i = 0; i < 10; i++)
        {
            writer.Record(Event(i));
        }

        // Wait until the loop is blocked inside an append (the first batch); then a clean stop cancels the loop,
        // completes and flushes.
        var inFlight = await _store.Entered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(["trust-0", "trust-1", "trust-2"], inFlight.Select(e => e.TrustId));
        stop.Cancel();
        writer.Complete();
        writer.Record(Event(99)); // after completion: dropped and counted
        _store.Gate.SetResult();
        await loop;
        await writer.FlushAsync(default);

        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"trust-{i}"), _store.Events.Select(e => e.TrustId));
        Assert.Equal(1, writer.Dropped);
    }

    [Fact]
    public void Denied_Event_CarriesTypeOutcomeAndReason()
    {
        var e = Event(1);

        Assert.Equal("token.denied", e.Type);
        Assert.Equal("denied", e.Outcome);
        Assert.Equal("token_expired", e.Reason);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached in time");
            await Task.Delay(10);
        }
    }
}
